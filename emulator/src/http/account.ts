import { createMiddleware } from "hono/factory";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { AccountId } from "../../../cloudflare-api/names";
import { ApiError } from "./errors";
import type { ApiEnv } from "./types";

/**
 * Any 32-hex account id is accepted (there is no account to create first);
 * each one's state is kept apart from every other's. Anything else is the
 * real API's "could not route" answer.
 */
export const account = createMiddleware<ApiEnv>(async (c, next) => {
  const raw = c.req.param("account_id") ?? "";
  const parsed = AccountId.safeParse(raw);
  if (!parsed.success) {
    const path = new URL(c.req.url).pathname.replace(/^\/client\/v4/, "");
    throw new ApiError(
      404,
      ErrorCode.invalidObjectIdentifier,
      `Could not route to ${path}, perhaps your object identifier is invalid?`,
    );
  }
  c.set("accountId", parsed.data);
  await next();
});
