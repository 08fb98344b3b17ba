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
  /** Null: an assets-only upload (wrangler's for `[assets]` without `main`: no main_module, no modules). */
  mainModule: string | null;
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
  if (metadata.body_part !== undefined && metadata.main_module === undefined) {
    throw apiError(
      validationFailed(
        "Service-worker syntax (body_part) is not supported here: upload ES modules and name one in main_module",
      ),
    );
  }
  const modules = await readModules(form, "metadata");
  const strictInherit = c.req.query("bindings_inherit") === "strict";
  const assets = await assetsChangeOf(c, { namespace, script }, metadata);
  const mainModule = metadata.main_module ?? assetsOnly(metadata, modules, assets);
  return { namespace, script, metadata, mainModule, modules, strictInherit, assets };
}

/**
 * An upload without main_module is an assets-only Worker (what wrangler sends for `[assets]` with no
 * `main`), which takes its assets and nothing that needs code: null, its main module. Anything else
 * without main_module is refused as before.
 */
function assetsOnly(metadata: ScriptMetadata, modules: ModuleUpload[], assets: AssetsChange | undefined): null {
  if (assets === undefined || modules.length > 0) {
    throw apiError(validationFailed("metadata.main_module is required: name the part holding the entry module"));
  }
  const needsCode = (["bindings", "migrations", "exports"] as const).filter(
    (field) => metadata[field] !== undefined && !(Array.isArray(metadata[field]) && metadata[field].length === 0),
  );
  if (needsCode.length > 0) {
    throw apiError(
      validationFailed(
        `An assets-only Worker (no main_module) has no code: it cannot have ${needsCode.join(", ")}; upload a Worker with its assets instead`,
      ),
    );
  }
  return null;
}
