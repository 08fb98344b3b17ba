import { z } from "zod";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../cloudflare-api/names.ts";
import type { ModuleContentType } from "../cloudflare-api/script-metadata.ts";

/**
 * A script's modules as the `/v1` API carries them (ScriptSource.modules): a
 * string is source text whose name's extension says its type (`index.js`,
 * `page.html`), as before; anything else, WebAssembly and binary data above
 * all, is `{type, base64}`, which keeps every byte through JSON. The control
 * plane uploads each with the content type its type has (MODULE_CONTENT_TYPE).
 */

/** What a module is: the Worker Loader's names for its module kinds, and source maps (kept, never run). */
export const MODULE_TYPES = ["js", "cjs", "text", "data", "wasm", "sourcemap"] as const;
export const ModuleType = z.enum(MODULE_TYPES);
export type ModuleType = z.infer<typeof ModuleType>;

/** The multipart upload's content type for each module type. */
export const MODULE_CONTENT_TYPE: Readonly<Record<ModuleType, ModuleContentType>> = {
  js: "application/javascript+module",
  cjs: "application/javascript",
  text: "text/plain",
  data: "application/octet-stream",
  wasm: "application/wasm",
  sourcemap: "application/source-map",
};

/** The type of a module given as a string, by its name's extension: text types only. */
const STRING_MODULE_TYPES: Readonly<Record<string, ModuleType>> = {
  js: "js",
  mjs: "js",
  cjs: "cjs",
  txt: "text",
  html: "text",
  map: "sourcemap",
};
const STRING_EXTENSIONS = Object.keys(STRING_MODULE_TYPES).map((extension) => `.${extension}`);

/** Types whose bytes are source text: they must be UTF-8, as the runtime reads them. */
const TEXT_TYPES: ReadonlySet<ModuleType> = new Set(["js", "cjs", "text", "sourcemap"]);
/** Types a main module may have: code. */
const CODE_TYPES: ReadonlySet<ModuleType> = new Set(["js", "cjs"]);
/** Every WebAssembly binary starts with `\0asm`. */
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** A module's path: `index.js`, `lib/util.js`, `3f2a-add.wasm`; relative, no `..`. */
export const ModuleName = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^(?!\/)(?!.*\.\.)[A-Za-z0-9_.\-/]+$/,
    "module names are relative paths of letters, digits and _ . - /, without ..",
  );

/** A module given as bytes: its type said, its content in base64 (RFC 4648, padded). */
export const EncodedModule = z.strictObject({
  type: ModuleType,
  base64: z.base64("base64 must be standard base64 (A-Z a-z 0-9 + /, padded with =)"),
});
export type EncodedModule = z.infer<typeof EncodedModule>;

/** A module: source text (its type from its name) or `{type, base64}`. */
export const ModuleContent = z.union([z.string(), EncodedModule], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? `a module is source text (a string) or {"type", "base64"} with a type among ${MODULE_TYPES.join(", ")}`
      : undefined,
});
export type ModuleContent = z.infer<typeof ModuleContent>;

/** The module type of an uploaded part's content type (`application/wasm` → `wasm`); undefined for one the API has no type for. */
export function moduleTypeOfContentType(contentType: string): ModuleType | undefined {
  const base = contentType.split(";")[0]?.trim().toLowerCase();
  return MODULE_TYPES.find((type) => MODULE_CONTENT_TYPE[type] === base);
}

/** The type of a module given as a string named `name`; undefined when its extension says none. */
export function stringModuleType(name: string): ModuleType | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : STRING_MODULE_TYPES[extension];
}

/** A module's type; undefined only for a string whose name's extension says none (which the API refuses). */
export const moduleType = (name: string, content: ModuleContent): ModuleType | undefined =>
  typeof content === "string" ? stringModuleType(name) : content.type;

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  // In slices: spreading megabytes into one String.fromCharCode call overflows the stack.
  const SLICE = 0x8000;
  let binary = "";
  for (let start = 0; start < bytes.length; start += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(start, start + SLICE));
  }
  return btoa(binary);
}

/** A module's bytes, as uploaded: a string's UTF-8, an encoded module's decoded base64. */
export const moduleBytes = (content: ModuleContent): Uint8Array =>
  typeof content === "string" ? new TextEncoder().encode(content) : base64ToBytes(content.base64);

/** A module's size in bytes, counted without decoding it. */
export function moduleSize(content: ModuleContent): number {
  if (typeof content === "string") return new TextEncoder().encode(content).length;
  const padding = content.base64.endsWith("==") ? 2 : content.base64.endsWith("=") ? 1 : 0;
  return (content.base64.length / 4) * 3 - padding;
}

/** What is wrong with one module beyond its shape, if anything. */
function moduleIssue(name: string, content: ModuleContent): string | undefined {
  if (typeof content === "string") {
    if (stringModuleType(name) !== undefined) return undefined;
    return `a module given as a string is source text named ${STRING_EXTENSIONS.join(", ")}; give any other as {"type", "base64"} (types: ${MODULE_TYPES.join(", ")})`;
  }
  if (TEXT_TYPES.has(content.type)) {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64ToBytes(content.base64));
    } catch {
      return `a ${content.type} module is source text: its bytes must be UTF-8`;
    }
  }
  if (content.type === "wasm") {
    const head = base64ToBytes(content.base64.slice(0, 8));
    if (!WASM_MAGIC.every((byte, index) => head[index] === byte)) {
      return "a wasm module is a WebAssembly binary, which starts with \\0asm";
    }
  }
  return undefined;
}

/** A problem with a script's modules, at `path` (relative to the script). */
export type ModulesIssue = { path: (string | number)[]; message: string };

/**
 * The rules a script's modules keep together: each one's type known and its
 * bytes fit for it, the main module code, and 10 MiB in all, counted in bytes
 * (an encoded module's decoded size, not its base64's).
 */
export function modulesIssues(modules: Readonly<Record<string, ModuleContent>>, mainModule: string): ModulesIssue[] {
  const issues: ModulesIssue[] = [];
  let bytes = 0;
  for (const [name, content] of Object.entries(modules)) {
    // Zod runs a script's refinements even when a module failed its own shape (reported already): skipped, not decoded.
    if (!ModuleContent.safeParse(content).success) continue;
    const issue = moduleIssue(name, content);
    if (issue !== undefined) issues.push({ path: ["modules", name], message: issue });
    bytes += moduleSize(content);
  }
  const main = Object.hasOwn(modules, mainModule) ? modules[mainModule] : undefined;
  const mainType = main === undefined ? undefined : moduleType(mainModule, main);
  if (mainType !== undefined && !CODE_TYPES.has(mainType)) {
    issues.push({ path: ["mainModule"], message: `the main module is ${mainType}, not code (js or cjs)` });
  }
  if (bytes > MAX_SCRIPT_UPLOAD_BYTES) {
    issues.push({
      path: ["modules"],
      message: `the modules are ${bytes} bytes in all; the limit is ${MAX_SCRIPT_UPLOAD_BYTES} (10 MiB)`,
    });
  }
  return issues;
}
