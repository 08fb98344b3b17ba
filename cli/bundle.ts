import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { unstable_readConfig } from "wrangler";
import { ScriptSource } from "../platform/tenants-api.ts";
import { offlineWranglerEnv, WRANGLER_BIN } from "../scripts/lib/wrangler-dev.ts";
import { buildError, usageError } from "./errors.ts";
import { readUploadModules } from "./upload-modules.ts";

/** wrangler's own order when a folder has more than one config. */
const CONFIG_NAMES = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"];
const BUNDLE_TIMEOUT_MS = 120_000;

/**
 * A tenant's Worker folder as the API's ScriptSource: bundled the way
 * `wrangler deploy` bundles it (TypeScript, npm imports, module rules), its
 * compatibility date and flags and its Durable Objects (durableObjectsOf) from
 * its wrangler config, and its `migrations/*.sql` as the tenant database's
 * migrations.
 *
 * Not scripts/lib/worker-build.ts's build(): that one folds Text modules into
 * one module for miniflare and writes into the repository; an upload keeps
 * each module, named and typed as wrangler's own upload has it
 * (upload-modules.ts): WebAssembly and data modules as their bytes.
 */
export async function bundleWorker(dir: string): Promise<ScriptSource> {
  const configPath = findConfig(dir);
  const config = unstable_readConfig({ config: configPath });
  if (config.main === undefined) throw usageError(`${configPath} has no "main": wrangler cannot tell what to bundle`);
  // Before bundling: a config the platform cannot take fails at once.
  const objects = durableObjectsOf(config, configPath);
  const outDir = await mkdtemp(path.join(tmpdir(), "wfp-bundle-"));
  try {
    const uploadFile = path.join(outDir, "upload.form");
    await runWranglerBundle(configPath, uploadFile);
    const { mainModule, modules } = await readUploadModules(uploadFile);
    const migrations = await readMigrations(path.join(dir, "migrations"));
    const source = {
      mainModule,
      modules,
      compatibilityDate: config.compatibility_date,
      ...(config.compatibility_flags.length > 0 ? { compatibilityFlags: config.compatibility_flags } : {}),
      ...(migrations === undefined ? {} : { migrations }),
      ...objects,
    };
    const parsed = ScriptSource.safeParse(source);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      throw buildError(`the Worker in ${dir} is not a script the control plane takes:\n  ${issues.join("\n  ")}`);
    }
    return parsed.data;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

type WranglerConfig = ReturnType<typeof unstable_readConfig>;

/**
 * The config's Durable Objects as the API takes them: each
 * `[[durable_objects.bindings]]` as `durableObjects` (binding → class), and
 * the classes its `[[migrations]]` (or its `exports`, the declarative form)
 * delete and no binding names any more as `deletedDurableObjectClasses`. The
 * control plane works out each tenant's migration itself, from the classes
 * the tenant has: the config's tags and its `new_classes` /
 * `new_sqlite_classes` are not sent (every class it creates is SQLite-backed).
 * A class deleted and created again later in the migrations is not deleted.
 */
export function durableObjectsOf(
  config: Pick<WranglerConfig, "durable_objects" | "migrations" | "exports">,
  configPath: string,
): Pick<ScriptSource, "durableObjects" | "deletedDurableObjectClasses"> {
  const durableObjects: Record<string, string> = {};
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name !== undefined) {
      throw buildError(
        `${configPath}: the Durable Object binding ${binding.name} names script_name "${binding.script_name}": a tenant's Worker can only bind its own classes`,
      );
    }
    durableObjects[binding.name] = binding.class_name;
  }
  const deleted = new Set<string>();
  const unsupported = (what: string) =>
    buildError(
      `${configPath}: ${what}: the platform does not support renaming or transferring Durable Object classes (yet)`,
    );
  for (const migration of config.migrations ?? []) {
    if ((migration.renamed_classes ?? []).length > 0)
      throw unsupported(`migration ${migration.tag} has renamed_classes`);
    if ((migration.transferred_classes ?? []).length > 0) {
      throw unsupported(`migration ${migration.tag} has transferred_classes`);
    }
    for (const name of [...(migration.new_classes ?? []), ...(migration.new_sqlite_classes ?? [])])
      deleted.delete(name);
    for (const name of migration.deleted_classes ?? []) deleted.add(name);
  }
  const exports: Record<string, { type: string; state?: string }> = config.exports ?? {};
  for (const [name, entry] of Object.entries(exports)) {
    if (entry.type !== "durable-object") continue;
    if (entry.state === "deleted") deleted.add(name);
    else if (entry.state !== undefined && entry.state !== "created") {
      throw unsupported(`exports.${name} is ${entry.state}`);
    }
  }
  const bound = new Set(Object.values(durableObjects));
  const deletedDurableObjectClasses = [...deleted].filter((name) => !bound.has(name)).sort();
  return {
    ...(Object.keys(durableObjects).length === 0 ? {} : { durableObjects }),
    ...(deletedDurableObjectClasses.length === 0 ? {} : { deletedDurableObjectClasses }),
  };
}

/**
 * Of the classes the config deletes, those the tenant has: a wrangler config
 * keeps every migration it ever had, and the control plane refuses to delete
 * a class the tenant does not have (a new tenant has none).
 */
export function deletionsFor(script: ScriptSource, classes: readonly string[]): ScriptSource {
  const { deletedDurableObjectClasses, ...rest } = script;
  const kept = (deletedDurableObjectClasses ?? []).filter((name) => classes.includes(name));
  return kept.length === 0 ? rest : { ...rest, deletedDurableObjectClasses: kept };
}

export function findConfig(dir: string): string {
  for (const name of CONFIG_NAMES) {
    const candidate = path.resolve(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw usageError(`${dir} has no wrangler config (${CONFIG_NAMES.join(", ")})`);
}

/** `--outfile`: the multipart body wrangler would upload, each module with the content type its rules give it. */
async function runWranglerBundle(configPath: string, outFile: string): Promise<void> {
  const args = [WRANGLER_BIN, "deploy", "--dry-run", "--outfile", outFile, "--config", configPath];
  try {
    await promisify(execFile)(process.execPath, args, {
      cwd: path.dirname(configPath),
      env: offlineWranglerEnv(),
      timeout: BUNDLE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw buildError(`wrangler could not bundle ${configPath}:\n${stdout ?? ""}${stderr ?? ""}`.trimEnd());
  }
}

async function readMigrations(dir: string): Promise<Record<string, string> | undefined> {
  if (!existsSync(dir)) return undefined;
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  if (names.length === 0) return undefined;
  const migrations: Record<string, string> = {};
  for (const name of names) migrations[name] = await readFile(path.join(dir, name), "utf8");
  return migrations;
}
