import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { intQueryParam, pageQueryParam, pageResultInfo } from "../../http/query-params";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { publishVersion } from "../upload-flow";
import { scriptParams, storeRoute, unwrap, workersStore } from "./store-answers";
import { readUploadBody } from "./upload-request";

/**
 * A script's versions: uploaded without being deployed (`POST`, the upload's
 * multipart body, started before it is stored), listed newest first, read.
 */
export const versions = new Hono<ApiEnv>();

/** Largest page of a version list (the v4 page pagination's usual bound). */
const MAX_PER_PAGE = 100;

versions.post("/:script/versions", async (c) => {
  const body = await readUploadBody(c);
  const { namespace, script, modules } = body;
  const result = await publishVersion(c, { namespace, script }, modules, (store, digests) =>
    store.draftUpload(c.get("accountId"), { ...body, modules: digests, deploy: false }),
  );
  return ok(c, result.version);
});

/** `?deployable=true` answers the versions a deployment may use, all at once (pagination ignored, as the SDK says). */
versions.get("/:script/versions", async (c) => {
  const { namespace, script } = scriptParams(c);
  const page = pageQueryParam(c, ErrorCode.scriptValidationFailed);
  const perPage = intQueryParam(
    c,
    "per_page",
    { min: 1, max: MAX_PER_PAGE, default: 10 },
    ErrorCode.scriptValidationFailed,
  );
  const deployable = c.req.query("deployable") === "true";
  const answer = unwrap(await workersStore(c).listVersions(namespace, script, { page, perPage, deployable }));
  const count = answer.list.items.length;
  return ok(
    c,
    answer.list,
    deployable
      ? pageResultInfo(1, Math.max(count, 1), count, answer.total)
      : pageResultInfo(page, perPage, count, answer.total),
  );
});

versions.get(
  "/:script/versions/:version",
  storeRoute((store, { namespace, script }, c) => store.getVersion(namespace, script, c.req.param("version") ?? "")),
);
