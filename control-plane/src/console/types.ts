import type { Env } from "../env";
import type { ConsoleApi } from "./api";
import type { Session } from "./session";

/** The Hono generics of the console's pages. */
export type ConsoleEnv = {
  Bindings: Env;
  Variables: {
    /** The `/v1` API, called in process with the operators' token (api.ts). */
    api: ConsoleApi;
    /** Set once signed in (auth.ts). */
    session: Session;
    /** The session's CSRF token, which every form carries as `_csrf`. */
    csrf: string;
  };
};
