import { assetHashOf, extensionOf } from "../src/assets/hash";
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
export async function fileOf(path: string, contents: string): Promise<AssetFile> {
  const bytes = new TextEncoder().encode(contents);
  const base64 = btoa(String.fromCharCode(...bytes));
  return { path, base64, hash: await assetHashOf(base64, extensionOf(path)), size: bytes.byteLength };
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
  Promise.all([
    fileOf("/index.html", "<h1>home</h1>"),
    fileOf("/blog/post.html", "<p>post</p>"),
    fileOf("/logo.svg", "<svg></svg>"),
  ]);
