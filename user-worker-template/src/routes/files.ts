import { Hono } from "hono";
import { z } from "zod";
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

/** `/files/:name`: files in the tenant's R2 bucket, streamed in and out, never held in memory. */
export const files = new Hono<AppEnv>()
  .put("/:name", async (c) => {
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
    return new Response(object.body, { headers });
  })
  .delete("/:name", async (c) => {
    const name = nameOf(c.req.param("name"));
    if ((await c.env.BUCKET.head(name)) === null) throw notFound(`file "${name}"`);
    await c.env.BUCKET.delete(name);
    return c.body(null, 204);
  })
  .all("/:name", methodNotAllowed(["GET", "HEAD", "PUT", "DELETE"]));
