import { Hono } from "hono";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { publishVersion } from "../upload-flow";
import { readUploadBody } from "./upload-request";

/**
 * `PUT …/scripts/{name}`: a new version, deployed to 100% as it is stored (the
 * answer's `deployment_id` is that version's id, which wrangler reads so).
 */
export const upload = new Hono<ApiEnv>();

upload.put("/:script", async (c) => {
  const body = await readUploadBody(c);
  const { namespace, script, modules } = body;
  const result = await publishVersion(c, { namespace, script }, modules, (store, digests) =>
    store.draftUpload(c.get("accountId"), { ...body, modules: digests, deploy: true }),
  );
  return ok(c, result.script);
});
