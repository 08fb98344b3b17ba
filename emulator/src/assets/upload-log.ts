import type { Env } from "../env";

/**
 * What the upload route took, call after call (`{account}/uploaded/{time}-{id}` in ASSETS_DATA, an empty
 * object per file with its hash and size as metadata), and what the account's files are: for
 * `GET /__emulator/assets/:account_id`, so tests can tell how many files a deploy uploaded.
 */

export interface StoredAssetFile {
  hash: string;
  size: number;
}

export interface UploadedAssetFile extends StoredAssetFile {
  /** When the upload route took it (ISO 8601). */
  at: string;
}

/** Notes files the upload route stored in one call. */
export async function logUploaded(env: Env, account: string, files: StoredAssetFile[]): Promise<void> {
  const now = Date.now();
  // The time first, zero-padded, so that the keys list in the order the files came.
  const stamp = String(now).padStart(15, "0");
  await Promise.all(
    files.map(({ hash, size }) =>
      env.ASSETS_DATA.put(`${account}/uploaded/${stamp}-${crypto.randomUUID()}`, "", {
        customMetadata: { hash, size: String(size), at: new Date(now).toISOString() },
      }),
    ),
  );
}

/** Every object under `prefix`, page after page, in key order. */
async function listAll(env: Env, prefix: string, withMetadata: boolean): Promise<R2Object[]> {
  const objects: R2Object[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.ASSETS_DATA.list({
      prefix,
      ...(cursor === undefined ? {} : { cursor }),
      ...(withMetadata ? { include: ["customMetadata"] as ("customMetadata" | "httpMetadata")[] } : {}),
    });
    objects.push(...page.objects);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return objects;
}

/** The files stored for the account, by hash. */
export async function storedFiles(env: Env, account: string): Promise<StoredAssetFile[]> {
  const prefix = `${account}/files/`;
  return (await listAll(env, prefix, false)).map((o) => ({ hash: o.key.slice(prefix.length), size: o.size }));
}

/** The files the upload route took for the account, oldest first (a file uploaded twice is here twice). */
export async function uploadedFiles(env: Env, account: string): Promise<UploadedAssetFile[]> {
  return (await listAll(env, `${account}/uploaded/`, true)).map((o) => ({
    hash: o.customMetadata?.hash ?? "",
    size: Number(o.customMetadata?.size),
    at: o.customMetadata?.at ?? "",
  }));
}
