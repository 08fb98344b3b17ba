import type { Context } from "hono";
import { ScriptName } from "../../../../cloudflare-api/names";
import { ScriptMetadata } from "../../../../cloudflare-api/script-metadata";
import { assetsChangeOf } from "../../assets/script-assets";
import type { AssetsChange } from "../../assets/version-assets";
import type { ApiEnv } from "../../http/types";
import { invalidScriptName, validationFailed } from "../errors";
import type { ModuleUpload } from "../modules";
import { parseWorkersInput } from "../validation";
import { readJsonPart, readModules, readMultipart } from "./multipart";
import { apiError, scriptParams, unwrap } from "./store-answers";

/** An upload's body as `PUT …/scripts/{name}` and `POST …/scripts/{name}/versions` both take it. */
export interface UploadBody {
  namespace: string;
  script: string;
  metadata: ScriptMetadata;
  mainModule: string;
  modules: ModuleUpload[];
  /** `bindings_inherit=strict` refuses an `inherit` that names nothing. */
  strictInherit: boolean;
  /** What the upload says about its assets (`metadata.assets`, `keep_assets`); undefined: none. */
  assets: AssetsChange | undefined;
}

/**
 * A multipart upload of one `metadata` part and one part per module, checked as
 * far as it can be without the store. Wrangler's `excludeScript` is accepted and
 * has nothing to exclude.
 */
export async function readUploadBody(c: Context<ApiEnv>): Promise<UploadBody> {
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
  const strictInherit = c.req.query("bindings_inherit") === "strict";
  const assets = await assetsChangeOf(c, { namespace, script }, metadata);
  return { namespace, script, metadata, mainModule: metadata.main_module, modules, strictInherit, assets };
}
