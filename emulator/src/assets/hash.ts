/** A file's extension as wrangler's hash takes it: what follows the last `.` of the last segment, or "". */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1);
}

/** wrangler's hash: the first 32 hex digits of sha256(base64 of the contents + the extension). */
export async function assetHashOf(base64Contents: string, extension: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(base64Contents + extension));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 32);
}
