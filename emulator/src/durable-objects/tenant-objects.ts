import type { RunScope } from "../bindings/kind";
import { type ScriptForRunner, storedScript } from "../dispatch/runner-support";
import type { Env } from "../env";
import { ObjectHost } from "./host";
import type { ObjectsDeployment } from "./versions";

/** The host of a script's Durable Objects when the emulator runs tenants' code itself: code from its own store. */
export class TenantObjects extends ObjectHost<Env> {
  protected override deployment(scope: RunScope): Promise<ObjectsDeployment | null> {
    const store = this.env.WORKERS_STORE.get(this.env.WORKERS_STORE.idFromName(scope.accountId));
    return store.getObjectsDeployment(scope.namespace, scope.script);
  }

  protected override script(scope: RunScope, versionId: string): Promise<ScriptForRunner | null> {
    return storedScript(this.env, scope, versionId);
  }
}
