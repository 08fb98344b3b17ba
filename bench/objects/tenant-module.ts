import path from "node:path";
import { buildSync } from "esbuild";
import type { BindingInput, Migrations } from "../../cloudflare-api/script-metadata.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import type { ModuleUpload } from "../shared/emulator-api.ts";

/** Every tenant script's one module: worker/src/tenant.ts bundled with the Counter class the front Worker runs too. */
export const TENANT_MAIN_MODULE = "index.js";
/** The binding and the class name every tenant script has. */
export const BINDING = "COUNTER";
export const CLASS_NAME = "Counter";

const TENANT_ENTRY = path.join(REPO_ROOT, "bench/objects/worker/src/tenant.ts");

/**
 * The tenant's main module, bundled from the same source files the front Worker
 * is built from (as wrangler would bundle a tenant's Worker): one class, written
 * once, run both ways. `cloudflare:workers` is left for the runtime.
 */
export function tenantModule(): string {
  const { outputFiles } = buildSync({
    entryPoints: [TENANT_ENTRY],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
  });
  const [output] = outputFiles;
  if (output === undefined) throw new Error(`esbuild gave no output for ${TENANT_ENTRY}`);
  return output.text;
}

/** A tenant script's upload: the module, its class's namespace, its name (which the class answers), its migration. */
export function tenantUpload(module: string, script: string): ModuleUpload {
  const bindings: BindingInput[] = [
    { type: "durable_object_namespace", name: BINDING, class_name: CLASS_NAME },
    { type: "plain_text", name: "SCRIPT", text: script },
  ];
  const migrations: Migrations = { new_tag: "v1", new_sqlite_classes: [CLASS_NAME] };
  return { mainModule: TENANT_MAIN_MODULE, modules: { [TENANT_MAIN_MODULE]: module }, bindings, migrations };
}
