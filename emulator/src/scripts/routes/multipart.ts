import type { Context } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { MODULE_CONTENT_TYPES } from "../../../../cloudflare-api/script-metadata";
import { utf8Length } from "../../bindings/key-space";
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

/**
 * A module's body is stored under `<account>/<namespace>/<script>/<etag>/<name>` (scripts/modules.ts), within
 * R2's 1024 bytes: 32 + 63 + 63 + 64 bytes and four slashes at most before the name, so names up to 798 bytes
 * always fit. Production's own bound on a module's name is not published (emulator/README.md).
 */
const MAX_MODULE_NAME_BYTES = 1024 - (32 + 63 + 63 + 64 + 4);

/** Every part but `except`, as a module named by its part name; each needs a supported Content-Type. */
export async function readModules(form: FormData, except: string): Promise<ModuleUpload[]> {
  const modules: ModuleUpload[] = [];
  for (const [name, part] of form.entries()) {
    if (name === except) continue;
    if (modules.some((m) => m.name === name)) throw apiError(validationFailed(`More than one part is named '${name}'`));
    if (utf8Length(name) > MAX_MODULE_NAME_BYTES) {
      throw apiError(
        validationFailed(
          `Part '${name.slice(0, 40)}…': module names are at most ${MAX_MODULE_NAME_BYTES} bytes in the local emulator`,
        ),
      );
    }
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
