import type { RunScope } from "../bindings/kind";
import { type ScriptForRunner, storedScript } from "../dispatch/runner-support";
import type { Env } from "../env";
import { ObjectHost } from "./host";

/** The host of a script's Durable Objects when the emulator runs tenants' code itself: code from its own store. */
export class TenantObjects extends ObjectHost<Env> {
  protected override script(scope: RunScope): Promise<ScriptForRunner | null> {
    return storedScript(this.env, scope);
  }
}
