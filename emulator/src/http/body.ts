import type { Context } from "hono";
import type { z } from "zod";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../cloudflare-api/names";
import { ApiError } from "./errors";

/** Largest body the emulator reads; the real API refuses script uploads over 10 MiB with 413. */
export const MAX_BODY_BYTES = MAX_SCRIPT_UPLOAD_BYTES;

/** "field.sub: message; other: message", so an error names what is wrong. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Reads the raw body, refusing (413) bodies over the limit before buffering them whole. */
export async function readBodyBytes(c: Context, errorCode: number, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(c.req.header("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    throw new ApiError(413, errorCode, `Request body is larger than the ${limit} byte limit`);
  }
  const body = c.req.raw.body;
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new ApiError(413, errorCode, `Request body is larger than the ${limit} byte limit`);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Parses a JSON body against a zod schema. Anything that is not JSON, or not
 * of the schema, is a 400 with the service's own "invalid request" code.
 */
export async function parseJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  errorCode: number,
): Promise<z.infer<S>> {
  const bytes = await readBodyBytes(c, errorCode);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, errorCode, "Request body is not valid JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(400, errorCode, `Invalid request body: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
