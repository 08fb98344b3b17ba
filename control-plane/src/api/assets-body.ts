import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { MAX_ASSETS_BODY_BYTES } from "../../../platform/tenants-api";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

/** The route taking asset files (multipart), whose body is not JSON. */
export const ASSETS_UPLOAD_PATH = "/v1/assets";

/** Counted as it arrives, chunked or not, as the JSON bodies are. */
export const limitAssetsBody = bodyLimit({
  maxSize: MAX_ASSETS_BODY_BYTES,
  onError: () => {
    throw new ApiError(
      413,
      "payload_too_large",
      `the body is larger than the limit of ${MAX_ASSETS_BODY_BYTES} bytes: send the files in smaller batches`,
    );
  },
});

/** The upload is multipart/form-data: another content type is refused before the route reads it. */
export const requireMultipartBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "POST") return next();
  const type = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new ApiError(
      400,
      "invalid_request",
      `the body must be multipart/form-data (one file part per asset), not "${type || "none"}"`,
    );
  }
  return next();
});
