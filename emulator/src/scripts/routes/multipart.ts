import type { Context } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { MODULE_CONTENT_TYPES } from "../../../../cloudflare-api/script-metadata";
import { isReservedModuleName } from "../../dispatch/shim";
import { readBodyBytes } from "../../http/body";
import type { ApiEnv } from "../../http/types";
import { unsupportedContentType, validationFailed } from "../errors";
import { type ModuleUpload, moduleContentType } from "../modules";
import { parseJsonText } from "../validation";
import { apiError, unwrap } from "./store-answers";

/**
 * The body of an upload, content PUT or settings PATCH: multipart/form-data,
 * at most 10 MiB (413 with code 10027 beyond), parsed whole before anything is stored.
 */
export async function readMultipart(c: Context<ApiEnv>): Promise<FormData> {
  const type = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) throw apiError(unsupportedContentType("multipart/form-data"));
  const bytes = await readBodyBytes(c, ErrorCode.scriptTooLarge);
  try {
    return await new Response(bytes, { headers: { "content-type": type } }).formData();
  } catch {
    throw apiError(validationFailed("The request body is not valid multipart/form-data"));
  }
}

/** A JSON part (`metadata`, `settings`), sent as a plain field or as a file (the SDK gives it a filename). */
export async function readJsonPart(form: FormData, name: string): Promise<unknown> {
  const part = form.get(name);
  if (part === null) return undefined;
  const text = typeof part === "string" ? part : await part.text();
  return unwrap(parseJsonText(text, `The ${name} part`));
}

/** Every part but `except`, as a module named by its part name; each needs a supported Content-Type. */
export async function readModules(form: FormData, except: string): Promise<ModuleUpload[]> {
  const modules: ModuleUpload[] = [];
  for (const [name, part] of form.entries()) {
    if (name === except) continue;
    if (modules.some((m) => m.name === name)) throw apiError(validationFailed(`More than one part is named '${name}'`));
    if (isReservedModuleName(name)) {
      throw apiError(
        validationFailed(`Part '${name}': module names starting with __wfp_ are reserved by the local emulator`),
      );
    }
    if (typeof part === "string") {
      throw apiError(
        validationFailed(`Part '${name}' is not a file: a module part needs a filename and a Content-Type`),
      );
    }
    const type = moduleContentType(part.type);
    if (type === undefined) {
      throw apiError(
        validationFailed(
          `Part '${name}' has unsupported Content-Type '${part.type}'; supported: ${MODULE_CONTENT_TYPES.join(", ")}`,
        ),
      );
    }
    modules.push({ name, type, body: new Uint8Array(await part.arrayBuffer()) });
  }
  return modules;
}
