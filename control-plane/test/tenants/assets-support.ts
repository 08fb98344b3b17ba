import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { z } from "zod";
import { assetHashOf } from "../../../cloudflare-api/asset-hash";
import type { AssetManifest } from "../../../cloudflare-api/assets";
import { api, TOKEN, testEnv } from "./support";

const controlPlane = (exports as unknown as { default: Fetcher }).default;

/** A static asset file: its path, bytes and hash (wrangler's). */
export type AssetFile = { path: string; bytes: Uint8Array; hash: string };

/** A file with these contents at `path`, its bytes unique to the test unless `shared`. */
export function assetFile(path: string, contents: string | Uint8Array, shared = false): AssetFile {
  const bytes =
    typeof contents === "string"
      ? new TextEncoder().encode(shared ? contents : `${contents}<!-- ${crypto.randomUUID()} -->`)
      : contents;
  return { path, bytes, hash: assetHashOf(bytes, path) };
}

export const manifestOf = (files: readonly AssetFile[]): AssetManifest =>
  Object.fromEntries(files.map((file) => [file.path, { hash: file.hash, size: file.bytes.byteLength }]));

/** A multipart body: a part per file named by its hash (or `name`), its filename the path (or `filename`). */
export function assetsForm(files: readonly (AssetFile & { name?: string; filename?: string })[]): FormData {
  const form = new FormData();
  for (const file of files) {
    form.append(file.name ?? file.hash, new File([file.bytes as Uint8Array<ArrayBuffer>], file.filename ?? file.path));
  }
  return form;
}

/** POST /v1/assets with this body (a FormData, or anything else as it is, with `contentType`). */
export async function postAssets(body: BodyInit, contentType?: string) {
  const response = await controlPlane.fetch("http://control-plane/v1/assets", {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(contentType === undefined ? {} : { "content-type": contentType }),
    },
    body,
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, text, json, headers: response.headers };
}

/** Stores the files through the API (as `wfp deploy` does) and checks the answer. */
export async function storeAssets(files: readonly AssetFile[]): Promise<void> {
  const answer = await postAssets(assetsForm(files));
  expect(answer.status, answer.text).toBe(200);
  expect((answer.json as { stored: string[] }).stored.sort()).toEqual([...new Set(files.map((f) => f.hash))].sort());
}

/** Which of these hashes the platform lacks (POST /v1/assets/missing). */
export async function missingOf(hashes: readonly string[]): Promise<string[]> {
  const answer = await api("POST", "/v1/assets/missing", { hashes });
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as unknown as { missing: string[] }).missing;
}

const scriptPath = (id: string) =>
  `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}`;

/** The tenant's script as the emulator answers it: whether it has assets, and its bindings' names and types. */
export async function emulatorScript(id: string) {
  const call = async (path: string) => {
    const response = await testEnv.EMULATOR.fetch(`http://emulator${path}`, {
      headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}` },
    });
    expect(response.status, path).toBe(200);
    return ((await response.json()) as { result: unknown }).result;
  };
  const script = (await call(scriptPath(id))) as { script: { has_assets: boolean } };
  const bindings = (await call(`${scriptPath(id)}/bindings`)) as { name: string; type: string }[];
  return {
    hasAssets: script.script.has_assets,
    assetsBindings: bindings.filter((binding) => binding.name === "ASSETS").map((binding) => binding.type),
  };
}

const AssetsAdmin = z.object({ result: z.object({ uploaded: z.array(z.object({ hash: z.string() })) }) });

/** The hashes of every file the emulator's upload route has taken for the account, oldest first (its admin route). */
export async function uploadedFiles(): Promise<string[]> {
  const response = await testEnv.EMULATOR.fetch(`http://emulator/__emulator/assets/${testEnv.CLOUDFLARE_ACCOUNT_ID}`, {
    headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}` },
  });
  expect(response.status, "the emulator's assets admin route").toBe(200);
  return AssetsAdmin.parse(await response.json()).result.uploaded.map((file) => file.hash);
}
