import type { AccountId } from "../../../cloudflare-api/names";
import type { Env } from "../env";

/** Hono generics for every route under /client/v4. */
export type ApiEnv = {
  Bindings: Env;
  Variables: {
    /** Set by the account middleware for routes under /accounts/:account_id. */
    accountId: AccountId;
    /** The caller's token, after authentication. Never logged or echoed. */
    token: string;
  };
};
