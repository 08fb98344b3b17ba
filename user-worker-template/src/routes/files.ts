import { Hono } from "hono";
import { z } from "zod";
import { requireWriteAccess } from "../auth";
import type { AppEnv } from "../env";
import { AppError, methodNotAllowed, notFound } from "../errors";
import { parseOr400 } from "../validation";

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** One path segment of safe characters, so a name is the same in a URL, a key and a download. */
const FileName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/,
    "names are 1 to 255 letters, digits, '.', '_' or '-', not starting with a symbol",
  );

const ContentLength = z.coerce.number().int().min(0);

const nameOf = (raw: string) => parseOr400(FileName, raw, "file name");

/**
 * The declared body length: R2 must know an upload's length before it starts,
 * so a body without one is refused (411) rather than buffered.
 */
function declaredLength(header: string | undefined): number {
  if (header === undefined) throw new AppError(411, "length_required", "send the file with a Content-Length");
  const length = parseOr400(ContentLength, header, "Content-Length");
  if (length > MAX_FILE_BYTES) {
    throw new AppError(413, "payload_too_large", `files are at most ${MAX_FILE_BYTES} bytes; this one is ${length}`);
  }
  return length;
}

/**
 * Types a browser shows inline without running anything: plain text and data,
 * raster images, audio, video and fonts. Everything else, HTML, SVG, XML,
 * JavaScript, PDF and any type not listed, may run script or render as a
 * document, and is served as a download. A list of what is safe, not of what
 * is dangerous: a type nobody thought of is a download.
 */
const INLINE_TYPES = new Set([
  "text/plain",
  "text/csv",
  "application/json",
  "application/octet-stream",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/avif",
  "image/bmp",
  "image/x-icon",
  "image/vnd.microsoft.icon",
]);
const INLINE_PREFIXES = ["audio/", "video/", "font/"];

/** `type/subtype` of a Content-Type, lowercased; null if it is not one plain media type (a comma-separated list is not). */
function essenceOf(contentType: string | null): string | null {
  const essence = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : null;
}

export function isInlineType(contentType: string | null): boolean {
  const essence = essenceOf(contentType);
  if (essence === null) return false;
  return INLINE_TYPES.has(essence) || INLINE_PREFIXES.some((prefix) => essence.startsWith(prefix));
}

/**
 * What a stored file is served with, whatever type its uploader gave it: the
 * browser must not guess another type (`nosniff`), and if it ever renders the
 * file as a page, the page is sandboxed (no script, an origin of its own, so
 * nothing of the tenant's origin, or of every tenant's under path routing).
 * A type that is not plainly inline is also a download (`attachment`), so
 * uploaded HTML or SVG is never a page of the tenant's site.
 */
function servingHeaders(name: string, contentType: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox",
  };
  // The name is letters, digits, '.', '_' and '-' only (FileName): nothing to escape.
  if (!isInlineType(contentType)) headers["content-disposition"] = `attachment; filename="${name}"`;
  return headers;
}

/** `/files/:name`: files in the tenant's R2 bucket, streamed in and out, never held in memory; anyone reads, a writer (see requireWriteAccess) stores and deletes. */
export const files = new Hono<AppEnv>()
  .put("/:name", requireWriteAccess, async (c) => {
    const name = nameOf(c.req.param("name"));
    const length = declaredLength(c.req.header("content-length"));
    // FixedLengthStream gives R2 the length up front and fails the upload if the body is not that long.
    const { readable, writable } = new FixedLengthStream(length);
    const piped = (c.req.raw.body ?? new Blob([]).stream()).pipeTo(writable);
    const contentType = c.req.header("content-type") ?? "application/octet-stream";
    const [stored, copied] = await Promise.allSettled([
      c.env.BUCKET.put(name, readable, { httpMetadata: { contentType } }),
      piped,
    ]);
    if (stored.status === "rejected" || copied.status === "rejected") {
      throw new AppError(400, "bad_request", `the body is not the ${length} bytes its Content-Length says`);
    }
    const object = stored.value;
    return c.json({ name, size: object.size, etag: object.httpEtag, contentType }, 201);
  })
  .get("/:name", async (c) => {
    const name = nameOf(c.req.param("name"));
    const object = await c.env.BUCKET.get(name);
    if (object === null) throw notFound(`file "${name}"`);
    const headers = new Headers({ etag: object.httpEtag, "content-length": String(object.size) });
    object.writeHttpMetadata(headers);
    for (const [header, value] of Object.entries(servingHeaders(name, headers.get("content-type")))) {
      headers.set(header, value);
    }
    return new Response(object.body, { headers });
  })
  .delete("/:name", requireWriteAccess, async (c) => {
    const name = nameOf(c.req.param("name"));
    if ((await c.env.BUCKET.head(name)) === null) throw notFound(`file "${name}"`);
    await c.env.BUCKET.delete(name);
    return c.body(null, 204);
  })
  .all("/:name", methodNotAllowed(["GET", "HEAD", "PUT", "DELETE"]));
