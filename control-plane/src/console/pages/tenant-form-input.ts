import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../../cloudflare-api/names";
import { bytesToBase64, type ModuleContent, stringModuleType } from "../../../../platform/script-modules";
import type { ScriptSource } from "../../../../platform/tenants-api";
import type { ApiError } from "../api";

/**
 * What the tenant forms read from a posted form, before /v1 sees it: text areas of one entry a
 * line, and uploaded files as the API's script. The API checks every value itself; these only
 * turn the browser's shapes into the API's, and say which line or file they could not.
 */

/** A form's problems: a message for the page, and messages by field (the inputs' names). */
export type FormProblem = { status: number; message: string; fields: Partial<Record<string, string[]>> };

/** The text of a field; "" when absent or a file. */
export function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** The files chosen in a file input: none when the browser sent its empty part (nothing chosen). */
export function filesOf(form: FormData, name: string): File[] {
  return form.getAll(name).filter((value): value is File => typeof value !== "string" && value.name !== "");
}

/** Each non-blank line, trimmed. */
export function linesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export type Assignments = { values: Record<string, string>; problems: string[] };

/**
 * `NAME=value` lines as a record (the value may hold `=`; spaces around the name are dropped, the
 * value is kept as typed). `secret`: a problem never quotes the line, which may be a value.
 */
export function assignmentsOf(text: string, secret: boolean): Assignments {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    const at = line.indexOf("=");
    if (at < 0) {
      problems.push(
        secret
          ? `line ${index + 1} has no "=": write NAME=value`
          : `line ${index + 1} ("${line}") has no "=": write NAME=value`,
      );
      return;
    }
    const name = line.slice(0, at).trim();
    if (Object.hasOwn(values, name)) problems.push(`line ${index + 1}: ${name} is given twice`);
    else values[name] = line.slice(at + 1);
  });
  return { values, problems };
}

/** `vars` as the form shows them: `NAME=value` a line. */
export function assignmentsText(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
}

export type UploadedScript = { ok: true; script: ScriptSource } | { ok: false; problems: string[] };

/**
 * Uploaded files as the API's script: each file a module named as the file (`.js`/`.mjs` ES
 * modules, `.cjs`, `.txt`, `.html`, `.map` as their text; `.wasm` as WebAssembly; `.bin` as
 * data). The main module is the one named, else the only code file, else `index.js`.
 */
export async function scriptOfFiles(
  files: File[],
  mainModule: string,
  compatibilityDate: string,
): Promise<UploadedScript> {
  const problems: string[] = [];
  const total = files.reduce((bytes, file) => bytes + file.size, 0);
  // Checked before reading: a file past the limit is not read into memory at all.
  if (total > MAX_SCRIPT_UPLOAD_BYTES) {
    return {
      ok: false,
      problems: [`the files are ${total} bytes in all; the limit is ${MAX_SCRIPT_UPLOAD_BYTES} (10 MiB)`],
    };
  }
  const modules: Record<string, ModuleContent> = {};
  for (const file of files) {
    const module = await moduleOf(file);
    if (typeof module === "object" && "problem" in module) problems.push(module.problem);
    else if (Object.hasOwn(modules, file.name)) problems.push(`${file.name} is chosen twice`);
    else modules[file.name] = module;
  }
  const main = mainModule.trim() || mainOf(Object.keys(modules));
  if (main === undefined) problems.push("several code files: name the main module");
  if (problems.length > 0 || main === undefined) return { ok: false, problems };
  const date = compatibilityDate.trim();
  return { ok: true, script: { mainModule: main, modules, ...(date === "" ? {} : { compatibilityDate: date }) } };
}

async function moduleOf(file: File): Promise<ModuleContent | { problem: string }> {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.name)?.[1]?.toLowerCase();
  if (stringModuleType(file.name) !== undefined) {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await file.arrayBuffer());
    } catch {
      return { problem: `${file.name} is not UTF-8 text` };
    }
  }
  const type = extension === "wasm" ? "wasm" : extension === "bin" ? "data" : undefined;
  if (type === undefined) {
    return { problem: `${file.name}: the console takes .js, .mjs, .cjs, .txt, .html, .map, .wasm and .bin files` };
  }
  return { type, base64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
}

function mainOf(names: string[]): string | undefined {
  const code = names.filter((name) => /\.(m?js|cjs)$/i.test(name));
  if (code.length === 1) return code[0];
  return names.includes("index.js") ? "index.js" : undefined;
}

/** Which input a detail's path names, and what within it (a hostname, a var's name), if anything. */
export type DetailTarget = { field: string; subject?: string | undefined } | undefined;

/**
 * The API's refusal as the form shows it: each of `details` next to the input its path names
 * (`targetOf`; undefined: the page's message says it), led by its subject unless it says it
 * already, and the whole refusal next to `codeField` when the API names no field (a script it
 * refused: 422).
 */
export function problemOfApi(
  error: ApiError,
  targetOf: (path: string[]) => DetailTarget,
  codeField: Partial<Record<ApiError["code"], string>> = {},
): FormProblem {
  const fields: FormProblem["fields"] = {};
  const add = (field: string, message: string) => {
    fields[field] = [...(fields[field] ?? []), message];
  };
  for (const detail of error.details ?? []) {
    const target = targetOf(detail.path.split("."));
    if (target === undefined) continue;
    const { field, subject } = target;
    add(
      field,
      subject === undefined || detail.message.startsWith(subject) ? detail.message : `${subject}: ${detail.message}`,
    );
  }
  const fallback = codeField[error.code];
  if ((error.details ?? []).length === 0 && fallback !== undefined) add(fallback, error.message);
  return { status: error.status, message: error.message, fields };
}

/** A problem of the form itself (before /v1): a 400. */
export function formProblem(
  fields: FormProblem["fields"],
  message = "Some fields need a change: see below.",
): FormProblem {
  return { status: 400, message, fields };
}
