import {
  MAIN_MODULE_CONTENT_TYPES,
  MODULE_CONTENT_TYPES,
  type ModuleContentType,
} from "../../../cloudflare-api/script-metadata";
import { failure, success, validationFailed, type WorkersResult } from "./errors";
import { sha256Hex } from "./etag";

/** A module as it arrives with an upload or a content PUT. */
export interface ModuleUpload {
  name: string;
  type: ModuleContentType;
  body: Uint8Array;
}

/**
 * What a version records of a module, and all a draft needs: the bodies
 * themselves travel to the store only with the commit.
 */
export interface ModuleDigest {
  name: string;
  type: ModuleContentType;
  size: number;
  sha256: string;
}

export const digestModules = (modules: readonly ModuleUpload[]): Promise<ModuleDigest[]> =>
  Promise.all(
    modules.map(async ({ name, type, body }) => ({ name, type, size: body.byteLength, sha256: await sha256Hex(body) })),
  );

/** Where a version's module body lives in SCRIPT_MODULES. */
export const moduleKey = (accountId: string, namespace: string, script: string, etag: string, name: string) =>
  `${accountId}/${namespace}/${script}/${etag}/${name}`;

/** `application/javascript+module; charset=utf-8` → `application/javascript+module`. */
export function moduleContentType(raw: string): ModuleContentType | undefined {
  const base = raw.split(";")[0]?.trim().toLowerCase() ?? "";
  return (MODULE_CONTENT_TYPES as readonly string[]).includes(base) ? (base as ModuleContentType) : undefined;
}

/** The main module must be one of the modules, and code. */
export function checkMainModule(
  mainModule: string,
  modules: readonly Pick<ModuleDigest, "name" | "type">[],
): WorkersResult<string> {
  const main = modules.find((m) => m.name === mainModule);
  if (main === undefined)
    return failure(validationFailed(`No such module "${mainModule}": main_module must name a part of the upload`));
  if (main.type === "text/x-python") {
    // Python Workers need Pyodide, which workerd fetches from the network: not run offline (emulator/README.md).
    return failure(validationFailed(`main_module "${mainModule}" is Python, which the local emulator does not run`));
  }
  if (!MAIN_MODULE_CONTENT_TYPES.includes(main.type)) {
    return failure(validationFailed(`main_module "${mainModule}" has content type ${main.type}, which is not code`));
  }
  return success(mainModule);
}
