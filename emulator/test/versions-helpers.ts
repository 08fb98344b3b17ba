import { expect } from "vitest";
import type { ScriptMetadataInput } from "../../cloudflare-api/script-metadata";
import { call, json, resultOf } from "./helpers";
import { type ModuleParts, scriptPath, upload, uploadForm } from "./scripts-helpers";

/** A worker that answers which version of it ran, and the version headers it was given. */
export const labelled = (label: string): ModuleParts => ({
  "index.js": {
    code: `export default { fetch(request, env) { return Response.json({ label: ${JSON.stringify(label)}, key: request.headers.get("cloudflare-workers-version-key"), secret: typeof env.S === "string" }); } };`,
  },
});

/** `PUT …/scripts/{name}` of a labelled worker: a version deployed to 100%. */
export async function deployLabelled(
  namespace: string,
  script: string,
  label: string,
  metadata: Partial<ScriptMetadataInput> = {},
): Promise<{ deployment_id: string; etag: string }> {
  return resultOf(await upload(namespace, script, { main_module: "index.js", ...metadata }, labelled(label)));
}

/** `POST …/scripts/{name}/versions`: uploads without deploying. */
export const uploadVersion = (
  namespace: string,
  script: string,
  metadata: ScriptMetadataInput,
  modules: ModuleParts,
  query = "",
) => call(scriptPath(namespace, script, `/versions${query}`), { method: "POST", body: uploadForm(metadata, modules) });

/** A version of a labelled worker, not deployed; answers its id. */
export async function labelledVersion(namespace: string, script: string, label: string): Promise<string> {
  const version = await resultOf<{ id: string }>(
    await uploadVersion(namespace, script, { main_module: "index.js" }, labelled(label)),
  );
  expect(version.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  return version.id;
}

/** `POST …/deployments` of `[version id, percentage]` pairs. */
export const createDeployment = (
  namespace: string,
  script: string,
  versions: [string, number][],
  query = "",
  extra: Record<string, unknown> = {},
) =>
  call(
    scriptPath(namespace, script, `/deployments${query}`),
    json("POST", {
      strategy: "percentage",
      versions: versions.map(([version_id, percentage]) => ({ version_id, percentage })),
      ...extra,
    }),
  );
