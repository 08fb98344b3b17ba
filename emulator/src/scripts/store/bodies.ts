import type { ModuleUpload } from "../modules";
import type { ScriptVersion } from "../script-record";

/**
 * Module bodies in SCRIPT_MODULES, under their version's etag: a version's
 * are written before its metadata commits, and every version's stay until the
 * script is deleted (any of them may be deployed again), so a committed
 * version's bodies are always there.
 */

/** The version's bodies: uploaded ones, or else `previous`'s of the same name; nothing is left behind on failure. */
export async function writeBodies(
  bucket: R2Bucket,
  version: ScriptVersion,
  uploaded: readonly ModuleUpload[] | undefined,
  previous: ScriptVersion | undefined,
): Promise<void> {
  try {
    await putBodies(bucket, version, uploaded, previous);
  } catch (error) {
    await deleteBodies(bucket, [version]);
    throw error;
  }
}

/** writeBodies, leaving what it wrote on failure to its caller (staged-bodies.ts). */
export async function putBodies(
  bucket: R2Bucket,
  version: ScriptVersion,
  uploaded: readonly ModuleUpload[] | undefined,
  previous: ScriptVersion | undefined,
): Promise<void> {
  await Promise.all(
    version.modules.map(async (m) => {
      const body = uploaded?.find((u) => u.name === m.name)?.body ?? (await previousBody(bucket, m.name, previous));
      await bucket.put(m.r2Key, body, { httpMetadata: { contentType: m.type } });
    }),
  );
}

async function previousBody(bucket: R2Bucket, name: string, previous: ScriptVersion | undefined): Promise<ArrayBuffer> {
  const key = previous?.modules.find((m) => m.name === name)?.r2Key;
  const object = key === undefined ? null : await bucket.get(key);
  if (object === null) throw new Error(`module body of '${name}' is missing from SCRIPT_MODULES`);
  return object.arrayBuffer();
}

/** Best effort: a body left behind wastes space but breaks nothing, so it must not fail a committed change. */
export async function deleteBodies(bucket: R2Bucket, versions: readonly ScriptVersion[]): Promise<void> {
  const keys = versions.flatMap((v) => v.modules.map((m) => m.r2Key));
  for (let i = 0; i < keys.length; i += 1000) {
    try {
      await bucket.delete(keys.slice(i, i + 1000));
    } catch (error) {
      console.warn("workers store: could not delete old module bodies:", error instanceof Error ? error.name : "error");
    }
  }
}
