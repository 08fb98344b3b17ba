import { z } from "zod";
import { base64ToBytes } from "../../../../platform/script-modules";
import { TenantScriptSource } from "../../../../platform/tenants-api";
import bundle from "../template-bundle.built.json";

/** What scripts/lib/template-bundle.ts writes: the script's JSON, gzipped, in base64. */
const TemplateBundle = z.object({ gzip: z.base64() });

let template: Promise<TenantScriptSource> | undefined;

/**
 * The tenant template (user-worker-template/) as the API's script: what `wfp deploy
 * user-worker-template` uploads, bundled by the control plane's build
 * (scripts/build-template-bundle.ts), since a Worker cannot bundle at request time. Read and
 * checked against the API's schema on first use, not at start-up.
 */
export function templateScript(): Promise<TenantScriptSource> {
  template ??= readTemplate();
  return template;
}

async function readTemplate(): Promise<TenantScriptSource> {
  const { gzip } = TemplateBundle.parse(bundle);
  const json = new Blob([base64ToBytes(gzip)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return TenantScriptSource.parse(JSON.parse(await new Response(json).text()));
}
