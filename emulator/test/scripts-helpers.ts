import type { ScriptMetadataInput } from "../../cloudflare-api/script-metadata";
import { ACCOUNT, acct, call, json, resultOf } from "./helpers";

/** A name no other test uses, so tests never see each other's namespaces or scripts. */
export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export const ESM = "application/javascript+module";
export const HELLO = 'export default { fetch() { return new Response("hello"); } };';

export const nsPath = (namespace: string, rest = "", account = ACCOUNT) =>
  acct(`/workers/dispatch/namespaces/${namespace}${rest}`, account);
export const scriptPath = (namespace: string, script: string, rest = "", account = ACCOUNT) =>
  nsPath(namespace, `/scripts/${script}${rest}`, account);

export async function createNamespace(prefix = "ns", account = ACCOUNT): Promise<string> {
  const name = unique(prefix);
  await resultOf(await call(acct("/workers/dispatch/namespaces", account), json("POST", { name })));
  return name;
}

export type ModuleParts = Record<string, { code: string | Uint8Array; type?: string }>;

/** A multipart upload as wrangler builds it: the metadata part, then one file part per module. */
export function uploadForm(metadata: ScriptMetadataInput | string, modules: ModuleParts): FormData {
  const form = new FormData();
  form.append("metadata", typeof metadata === "string" ? metadata : JSON.stringify(metadata));
  for (const [name, { code, type = ESM }] of Object.entries(modules)) {
    form.append(name, new Blob([code], { type }), name);
  }
  return form;
}

export const upload = (
  namespace: string,
  script: string,
  metadata: ScriptMetadataInput | string,
  modules: ModuleParts = { "index.js": { code: HELLO } },
  options: { account?: string; query?: string } = {},
) =>
  call(`${scriptPath(namespace, script, "", options.account)}${options.query ?? ""}`, {
    method: "PUT",
    body: uploadForm(metadata, modules),
  });

/** Uploads a minimal module worker and answers the upload result. */
export async function uploadScript(
  namespace: string,
  script: string,
  metadata: Partial<ScriptMetadataInput> = {},
  account = ACCOUNT,
): Promise<{ etag: string; tag: string; id: string }> {
  const res = await upload(namespace, script, { main_module: "index.js", ...metadata }, undefined, { account });
  return resultOf(res);
}

/** A settings PATCH body: multipart with one JSON part named `settings`. */
export function settingsForm(settings: unknown): FormData {
  const form = new FormData();
  form.append("settings", new Blob([JSON.stringify(settings)], { type: "application/json" }), "blob");
  return form;
}
