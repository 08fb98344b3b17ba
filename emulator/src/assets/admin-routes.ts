import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { AccountId } from "../../../cloudflare-api/names";
import { ApiError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { storedFiles, uploadedFiles } from "./upload-log";

/**
 * `GET /__emulator/assets/:account_id` → `{files, uploaded}`: the account's stored asset files
 * (`{hash, size}`, by hash) and every file the upload route took (`{hash, size, at}`, oldest first),
 * so a test can prove that a second deploy with one changed file uploaded one file.
 */
export const assetsControls = new Hono<ApiEnv>();

assetsControls.get("/assets/:account_id", async (c) => {
  const account = AccountId.safeParse(c.req.param("account_id"));
  if (!account.success) throw new ApiError(400, ErrorCode.workersInvalidRequest, "The account id is not 32 hex digits");
  const [files, uploaded] = await Promise.all([storedFiles(c.env, account.data), uploadedFiles(c.env, account.data)]);
  return ok(c, { files, uploaded });
});
