import { env, runInDurableObject } from "cloudflare:test";
import { assetHashOfBase64, base64Of } from "../../cloudflare-api/asset-hash";
import type { AssetManifest } from "../../cloudflare-api/assets";
import type { VersionAssets } from "../src/assets/version-assets";
import type { WorkersStore } from "../src/scripts/store";
import { acct, call, json, resultOf } from "./helpers";

export type AssetsSessionAnswer = { jwt: string; buckets: string[][] };
export type AssetFile = { path: string; base64: string; hash: string; size: number };

/** A new account per test: assets are shared by every script of an account. */
export const freshAccount = () => crypto.randomUUID().replaceAll("-", "");

/** A new account with a dispatch namespace of that name (an upload session needs one). */
export async function freshAccountWith(namespace: string): Promise<string> {
  const account = freshAccount();
  await resultOf(await call(acct("/workers/dispatch/namespaces", account), json("POST", { name: namespace })));
  return account;
}

/** A file as wrangler describes it: base64 contents, hashed with the path's extension. */
export function fileOf(path: string, contents: string | Uint8Array): AssetFile {
  const bytes = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
  const base64 = base64Of(bytes);
  return { path, base64, hash: assetHashOfBase64(base64, path), size: bytes.byteLength };
}

export const manifestOf = (files: AssetFile[]) =>
  Object.fromEntries(files.map((f) => [f.path, { hash: f.hash, size: f.size }]));

export const sessionPath = (account: string, namespace: string, script: string) =>
  acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}/assets-upload-session`, account);

export const openSession = (account: string, namespace: string, script: string, body: unknown) =>
  call(sessionPath(account, namespace, script), json("POST", body));

export async function session(
  account: string,
  namespace: string,
  script: string,
  files: AssetFile[],
): Promise<AssetsSessionAnswer> {
  return resultOf<AssetsSessionAnswer>(await openSession(account, namespace, script, { manifest: manifestOf(files) }));
}

/** One upload call: a multipart part per file, named by its hash, authorised by `jwt`. */
export function uploadAssets(account: string, jwt: string, parts: [string, string][], query = "?base64=true") {
  const form = new FormData();
  for (const [name, value] of parts) form.append(name, value);
  return call(acct(`/workers/assets/upload${query}`, account), {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${jwt}` },
  });
}

export const partsOf = (files: AssetFile[]) => files.map((f): [string, string] => [f.hash, f.base64]);

/** Uploads every file of a new session and answers its completion JWT. */
export async function completedUpload(
  account: string,
  namespace: string,
  script: string,
  files: AssetFile[],
): Promise<string> {
  const opened = await session(account, namespace, script, files);
  if (opened.buckets.length === 0) return opened.jwt;
  const missing = new Set(opened.buckets.flat());
  const res = await uploadAssets(account, opened.jwt, partsOf(files.filter((f) => missing.has(f.hash))));
  return (await resultOf<{ jwt: string }>(res, 201)).jwt;
}

/** A small site: a page, a nested page and an image. */
export const siteFiles = (): Promise<AssetFile[]> =>
  Promise.resolve([
    fileOf("/index.html", "<h1>home</h1>"),
    fileOf("/blog/post.html", "<p>post</p>"),
    fileOf("/logo.svg", "<svg></svg>"),
  ]);

/** A version's assets as stored, with the manifest its key names read back from ASSETS_DATA; null without. */
async function withManifest(
  account: string,
  assets: VersionAssets | undefined,
): Promise<(VersionAssets & { files: AssetManifest }) | null> {
  if (assets === undefined) return null;
  const object = await env.ASSETS_DATA.get(`${account}/manifests/${assets.manifest}`);
  if (object === null) throw new Error(`manifest ${assets.manifest} is not stored`);
  return { ...assets, files: await object.json<AssetManifest>() };
}

const storeOf = (account: string) => env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(account));

/** The assets the script's latest version holds, read from the store's own table. */
export async function storedAssets(account: string, namespace: string, script: string) {
  const assets = await runInDurableObject(storeOf(account), (_: WorkersStore, state) => {
    const row = state.storage.sql
      .exec<{ version: string }>("SELECT version FROM scripts WHERE namespace = ? AND name = ?", namespace, script)
      .one();
    return (JSON.parse(row.version) as { assets?: VersionAssets }).assets;
  });
  return withManifest(account, assets);
}

/** The assets a stored version holds (the versions table keeps each version's whole record). */
export async function versionAssets(account: string, namespace: string, script: string, id: string) {
  const assets = await runInDurableObject(storeOf(account), (_: WorkersStore, state) => {
    const row = state.storage.sql
      .exec<{ record: string }>(
        "SELECT record FROM versions WHERE namespace = ? AND script = ? AND id = ?",
        namespace,
        script,
        id,
      )
      .one();
    // The record is stored as its row, whose `version` is JSON of its own.
    const record = JSON.parse(row.record) as { version: string };
    return (JSON.parse(record.version) as { assets?: VersionAssets }).assets;
  });
  return withManifest(account, assets);
}

/** The files of the script's latest version's manifest (null without assets). */
export const storedManifest = async (account: string, namespace: string, script: string) =>
  (await storedAssets(account, namespace, script))?.files ?? null;

/** The files of a stored version's manifest (null without assets). */
export const versionManifest = async (account: string, namespace: string, script: string, id: string) =>
  (await versionAssets(account, namespace, script, id))?.files ?? null;
