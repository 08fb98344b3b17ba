import { Hono } from "hono";
import { ScriptMetadata } from "../../../../cloudflare-api/script-metadata";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { publishVersion } from "../upload-flow";
import { parseWorkersInput } from "../validation";
import { readJsonPart, readModules, readMultipart } from "./multipart";
import { scriptParams, unwrap, workersStore } from "./store-answers";

const ContentMetadata = ScriptMetadata.pick({ main_module: true, body_part: true });

/** A script's modules: read back as multipart, replaced without touching bindings or settings. */
export const content = new Hono<ApiEnv>();

/** Like the real API: one part per module, named by its path, and the entry module in `cf-entrypoint`. */
content.get("/:script/content", async (c) => {
  const { namespace, script } = scriptParams(c);
  const stored = unwrap(await workersStore(c).getContent(namespace, script));
  const form = new FormData();
  for (const module of stored.modules) {
    const object = await c.env.SCRIPT_MODULES.get(module.r2Key);
    if (object === null) throw new Error(`module body of '${module.name}' is missing from SCRIPT_MODULES`);
    form.append(module.name, new Blob([await object.arrayBuffer()], { type: module.type }), module.name);
  }
  // An assets-only Worker has no modules, and so no entry module to name.
  const headers: Record<string, string> = stored.mainModule === null ? {} : { "cf-entrypoint": stored.mainModule };
  return new Response(form, { headers });
});

/** The entry module is named by the CF-WORKER-MAIN-MODULE-PART header, a `metadata` part, or stays as it was. */
content.put("/:script/content", async (c) => {
  const { namespace, script } = scriptParams(c);
  const form = await readMultipart(c);
  const raw = await readJsonPart(form, "metadata");
  const metadata = raw === undefined ? {} : unwrap(parseWorkersInput(ContentMetadata, raw, "tags-field"));
  const mainModule = c.req.header("cf-worker-main-module-part") ?? metadata.main_module;
  const modules = await readModules(form, "metadata");
  const result = await publishVersion(c, { namespace, script }, modules, (store, digests) =>
    store.draftContent(c.get("accountId"), { namespace, script, mainModule, modules: digests }),
  );
  return ok(c, result.script);
});
