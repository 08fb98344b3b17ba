import type { Env } from "../env";

/** The Hono generics of the control plane's app. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** Set for a change while it has its turn (api/changes-in-turn.ts): lets the next change start. */
    leaveTurn?: () => void;
  };
};
