import { TenantScriptSource as TenantScript, type TenantScriptSource } from "../../../../platform/tenants-api";
import bundle from "../template-bundle.built.json";

let template: TenantScriptSource | undefined;

/**
 * The tenant template (user-worker-template/) as the API's script: what `wfp deploy
 * user-worker-template` uploads, bundled by the control plane's build
 * (scripts/build-template-bundle.ts), since a Worker cannot bundle at request time. Checked
 * against the API's schema on first use, not at start-up: it is most of a megabyte.
 */
export function templateScript(): TenantScriptSource {
  template ??= TenantScript.parse(bundle);
  return template;
}
