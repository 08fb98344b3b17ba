import type { Env } from "../env";

/** The Hono generics of the control plane's app. */
export type AppEnv = { Bindings: Env };
