import { readFile } from "node:fs/promises";
import { z } from "zod";
import {
  bytesToBase64,
  type ModuleContent,
  type ModuleType,
  moduleTypeOfContentType,
  stringModuleType,
} from "../platform/script-modules.ts";
import { buildError } from "./errors.ts";

/** The part of wrangler's metadata read here: which part is the main module. */
const UploadMetadata = z.object({ main_module: z.string().min(1).optional() });

/**
 * The modules of the upload `wrangler deploy --dry-run --outfile` wrote: the
 * multipart body wrangler itself would send, so each module comes with the
 * content type wrangler's module rules gave it (CompiledWasm → application/wasm,
 * Data → application/octet-stream, Text → text/plain). Source maps are left out.
 */
export async function readUploadModules(
  file: string,
): Promise<{ mainModule: string; modules: Record<string, ModuleContent> }> {
  const form = await parseForm(await readFile(file));
  const metadata = UploadMetadata.parse(JSON.parse(await partText(form.get("metadata"))));
  if (metadata.main_module === undefined) {
    throw buildError("wrangler bundled a service-worker script: the platform takes ES modules only");
  }
  const modules: Record<string, ModuleContent> = {};
  for (const [name, part] of form.entries()) {
    if (name === "metadata" || typeof part === "string") continue;
    const type = moduleTypeOfContentType(part.type);
    if (type === undefined)
      throw buildError(`wrangler made ${name} a ${part.type} module, which the platform does not take`);
    if (type === "sourcemap") continue;
    modules[moduleName(name)] = asContent(moduleName(name), type, new Uint8Array(await part.arrayBuffer()));
  }
  return { mainModule: moduleName(metadata.main_module), modules };
}

/** Wrangler names the modules an import brought in `./<hash>-<file>`; imports resolve them from the main module's folder. */
const moduleName = (name: string) => name.replace(/^(?:\.\/)+/, "");

/** Source text whose name says its type goes as a string (readable in the API); anything else as its bytes. */
function asContent(name: string, type: ModuleType, bytes: Uint8Array): ModuleContent {
  if (stringModuleType(name) === type) {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {}
  }
  return { type, base64: bytesToBase64(bytes) };
}

/** A serialized multipart body, parsed with the boundary its first line names. */
async function parseForm(body: Buffer): Promise<FormData> {
  const firstLine = body.subarray(0, body.indexOf("\r\n")).toString("latin1");
  if (!firstLine.startsWith("--")) throw buildError("wrangler's --outfile is not a multipart body");
  const headers = { "content-type": `multipart/form-data; boundary=${firstLine.slice(2)}` };
  return new Response(new Uint8Array(body), { headers }).formData();
}

async function partText(part: FormDataEntryValue | null): Promise<string> {
  if (part === null) throw buildError("wrangler's upload has no metadata part");
  return typeof part === "string" ? part : part.text();
}
