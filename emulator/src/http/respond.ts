import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { failureEnvelope, type ResultInfo, successEnvelope } from "../../../cloudflare-api/envelope";
import type { ApiError } from "./errors";

/** A successful v4 answer: `{success: true, errors: [], messages: [], result}`. */
export const ok = <T>(c: Context, result: T, resultInfo?: ResultInfo, status: ContentfulStatusCode = 200) =>
  c.json(successEnvelope(result, resultInfo), status);

/** A failed v4 answer with `result: null`. */
export const fail = (error: ApiError) =>
  new Response(JSON.stringify(failureEnvelope(error.errors)), {
    status: error.status,
    headers: { "content-type": "application/json", ...error.headers },
  });
