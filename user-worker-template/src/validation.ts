import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { AppError } from "./errors";

/** "title: Too small…; body: …" — what a client needs to fix its request. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** `value` parsed by `schema`, or a 400 naming what is wrong with `what`. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError(400, "bad_request", `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Refuses a request body over `maxBytes` with a 413, whether or not it declares its length. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, "payload_too_large", `the body is over ${maxBytes} bytes`);
    },
  });
}

/** The JSON body parsed by `schema`: 400 if it is not JSON or does not match. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError(400, "bad_request", "send the body as JSON (content-type: application/json)");
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new AppError(400, "bad_request", "the body is not valid JSON");
  }
  return parseOr400(schema, body, "body");
}
