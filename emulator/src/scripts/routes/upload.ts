import { Hono } from "hono";
import { ScriptName } from "../../../../cloudflare-api/names";
import { ScriptMetadata } from "../../../../cloudflare-api/script-metadata";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { invalidScriptName, validationFailed } from "../errors";
import { publishVersion } from "../upload-flow";
import { parseWorkersInput } from "../validation";
import { readJsonPart, readModules, readMultipart } from "./multipart";
import { apiError, scriptParams, unwrap } from "./store-answers";

/**
 * `PUT …/scripts/{name}`: a multipart upload of one `metadata` part and one
 * part per module. Wrangler's `excludeScript` is accepted and has nothing to
 * exclude; `bindings_inherit=strict` refuses an `inherit` that names nothing.
 */
export const upload = new Hono<ApiEnv>();

upload.put("/:script", async (c) => {
  const { namespace, script } = scriptParams(c);
  if (!ScriptName.safeParse(script).success) throw apiError(invalidScriptName(script));
  const form = await readMultipart(c);
  const raw = await readJsonPart(form, "metadata");
  if (raw === undefined) throw apiError(validationFailed("The upload has no metadata part"));
  const metadata = unwrap(parseWorkersInput(ScriptMetadata, raw, "tags-field"));
  if (metadata.main_module === undefined) {
    throw apiError(
      validationFailed(
        metadata.body_part === undefined
          ? "metadata.main_module is required: name the part holding the entry module"
          : "Service-worker syntax (body_part) is not supported here: upload ES modules and name one in main_module",
      ),
    );
  }
  const modules = await readModules(form, "metadata");
  const mainModule = metadata.main_module;
  const strictInherit = c.req.query("bindings_inherit") === "strict";
  const result = await publishVersion(c, { namespace, script }, modules, (store, digests) =>
    store.draftUpload(c.get("accountId"), { namespace, script, metadata, mainModule, modules: digests, strictInherit }),
  );
  return ok(c, result);
});
