import { AccountId } from "../../cloudflare-api/names";
import { budgetRuleFromVars, durableApiBudget, positiveInt } from "./cloudflare/budget";
import { CloudflareApi } from "./cloudflare/transport";
import type { Env } from "./env";

/** The Cloudflare API as this Worker's bindings set it up: the emulator locally, the real one in production. */
export function cloudflareApiOf(env: Env): CloudflareApi {
  const local = env.CLOUDFLARE_API;
  return new CloudflareApi({
    accountId: AccountId.parse(env.CLOUDFLARE_ACCOUNT_ID),
    apiToken: env.CLOUDFLARE_API_TOKEN,
    baseUrl: env.CLOUDFLARE_API_BASE_URL,
    timeoutMs: positiveInt(env.CLOUDFLARE_API_TIMEOUT_MS, 30_000, "CLOUDFLARE_API_TIMEOUT_MS"),
    ...(local === undefined ? {} : { fetch: (input, init) => local.fetch(input, init) }),
    budget: durableApiBudget(env.API_BUDGET, budgetRuleFromVars(env)),
  });
}
