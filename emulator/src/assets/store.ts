import { z } from "zod";
import { AssetManifest } from "../../../cloudflare-api/assets";
import type { Env } from "../env";

/**
 * Where assets live (the ASSETS_DATA bucket): each account's files by content hash, shared by all
 * its scripts (`{account}/files/{hash}`), and each upload session's manifest and the hashes it asked
 * for (`{account}/sessions/{id}`), which the completion JWT names for the script upload.
 */
export const AssetsSession = z.object({
  namespace: z.string(),
  script: z.string(),
  manifest: AssetManifest,
  /** The hashes the session asked to upload (the account lacked them when it was opened). */
  needed: z.array(z.string()),
});
export type AssetsSession = z.infer<typeof AssetsSession>;

const fileKey = (account: string, hash: string) => `${account}/files/${hash}`;
const sessionKey = (account: string, session: string) => `${account}/sessions/${session}`;

export async function hasAssetFile(env: Env, account: string, hash: string): Promise<boolean> {
  return (await env.ASSETS_DATA.head(fileKey(account, hash))) !== null;
}

export async function putAssetFile(env: Env, account: string, hash: string, bytes: Uint8Array): Promise<void> {
  await env.ASSETS_DATA.put(fileKey(account, hash), bytes);
}

export async function getAssetFile(env: Env, account: string, hash: string): Promise<R2ObjectBody | null> {
  return env.ASSETS_DATA.get(fileKey(account, hash));
}

/** The hashes among `hashes` the account has no file for. */
export async function missingAssetFiles(env: Env, account: string, hashes: Iterable<string>): Promise<string[]> {
  const unique = [...new Set(hashes)];
  const present = await Promise.all(unique.map((hash) => hasAssetFile(env, account, hash)));
  return unique.filter((_, i) => !present[i]);
}

export async function putAssetsSession(env: Env, account: string, id: string, session: AssetsSession): Promise<void> {
  await env.ASSETS_DATA.put(sessionKey(account, id), JSON.stringify(session));
}

export async function getAssetsSession(env: Env, account: string, id: string): Promise<AssetsSession | null> {
  const object = await env.ASSETS_DATA.get(sessionKey(account, id));
  if (object === null) return null;
  return AssetsSession.parse(await object.json());
}
