import { unstable_readConfig } from "wrangler";
import { Crons } from "../platform/tenants-api.ts";
import { findConfig } from "./bundle.ts";
import { buildError } from "./errors.ts";

/**
 * The `[triggers] crons` of the wrangler config in `dir`, read by wrangler's own reader, as
 * `wrangler deploy` reads them: undefined without any (the tenant's crons are left as they are),
 * `[]` to remove them all. Expressions Cloudflare would refuse fail here, before anything is sent
 * (the plan's limit is the control plane's to say).
 */
export function cronsOf(dir: string): string[] | undefined {
  const configPath = findConfig(dir);
  const crons = unstable_readConfig({ config: configPath }).triggers.crons;
  if (crons === undefined) return undefined;
  const parsed = Crons.safeParse(crons);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `triggers.crons.${issue.path.join(".")}: ${issue.message}`);
    throw buildError(`${configPath} has cron triggers the control plane does not take:\n  ${issues.join("\n  ")}`);
  }
  return parsed.data;
}
