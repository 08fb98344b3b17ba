import type { RunScope } from "../bindings/kind";
import type { ScriptForRunner } from "../dispatch/runner-support";
import { ObjectHost } from "../durable-objects/host";
import type { ObjectsDeployment } from "../durable-objects/versions";
import type { RunnerEnv } from "./env";

/** The host of a script's Durable Objects in the runner that runs the script: code from the emulator. */
export class TenantObjects extends ObjectHost<RunnerEnv> {
  protected override deployment(scope: RunScope): Promise<ObjectsDeployment | null> {
    return this.env.EMULATOR.objectsDeployment(scope);
  }

  protected override async script(scope: RunScope, versionId: string): Promise<ScriptForRunner | null> {
    // RPC's types turn the bindings' open records into never; the value is the emulator's ScriptForRunner.
    return (await this.env.EMULATOR.script(scope, versionId)) as unknown as ScriptForRunner | null;
  }
}
