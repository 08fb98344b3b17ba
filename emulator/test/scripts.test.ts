import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ScriptMetadataInput } from "../../cloudflare-api/script-metadata";
import { ACCOUNT, call, errorOf, OTHER_ACCOUNT, resultOf } from "./helpers";
import {
  createNamespace,
  ESM,
  HELLO,
  type ModuleParts,
  nsPath,
  scriptPath,
  unique,
  upload,
  uploadForm,
  uploadScript,
} from "./scripts-helpers";

type UploadResult = {
  id: string;
  tag: string;
  etag: string;
  created_on: string;
  modified_on: string;
  compatibility_date?: string;
  compatibility_flags: string[];
  migration_tag?: string;
  usage_model: string;
  logpush: boolean;
  placement_mode?: string;
  tail_consumers: { service: string }[];
  startup_time_ms: number;
};
type NamespaceScript = { dispatch_namespace: string; created_on: string; modified_on: string; script: UploadResult };

const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

const getScript = async (namespace: string, script: string) =>
  resultOf<NamespaceScript>(await call(scriptPath(namespace, script)));

/** The modules of a script as GET …/content answers them: name → [type, text]. */
async function contentOf(namespace: string, script: string) {
  const res = await call(scriptPath(namespace, script, "/content"));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
  const entrypoint = res.headers.get("cf-entrypoint");
  const form = await res.formData();
  const modules: Record<string, [string, string]> = {};
  for (const [name, part] of form.entries()) {
    if (typeof part === "string") throw new Error(`part ${name} came back without a filename`);
    modules[name] = [part.type, await part.text()];
  }
  return { entrypoint, modules };
}

describe("script upload", () => {
  it("stores a module worker and answers the upload result", async () => {
    const ns = await createNamespace();
    const res = await upload(ns, "hello", {
      main_module: "index.js",
      compatibility_date: "2025-01-01",
      compatibility_flags: ["nodejs_compat"],
    });
    const result = await resultOf<UploadResult>(res);
    expect(result).toMatchObject({
      id: "hello",
      compatibility_date: "2025-01-01",
      compatibility_flags: ["nodejs_compat"],
      usage_model: "bundled",
      logpush: false,
    });
    // How long its start took, whole milliseconds: its value is the machine's.
    expect(Number.isInteger(result.startup_time_ms) && result.startup_time_ms >= 0).toBe(true);
    expect(result.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(result.tag).toMatch(/^[0-9a-f]{32}$/);
    expect(result.created_on).toBe(result.modified_on);

    const details = await getScript(ns, "hello");
    expect(details).toMatchObject({ dispatch_namespace: ns, created_on: result.created_on });
    expect(details.script).toMatchObject({ id: "hello", etag: result.etag, tag: result.tag });
  });

  it("accepts wrangler's query parameters and a metadata part sent as a file", async () => {
    const ns = await createNamespace();
    const form = new FormData();
    form.append("metadata", new Blob([JSON.stringify({ main_module: "w.mjs" })], { type: "application/json" }), "blob");
    form.append("w.mjs", new Blob([HELLO], { type: `${ESM}; charset=utf-8` }), "w.mjs");
    const res = await call(`${scriptPath(ns, "wrangled")}?excludeScript=true&bindings_inherit=strict`, {
      method: "PUT",
      body: form,
    });
    expect((await resultOf<UploadResult>(res)).id).toBe("wrangled");
  });

  it("keeps every module with its content type and answers them as multipart", async () => {
    const ns = await createNamespace();
    const modules: ModuleParts = {
      "index.js": { code: 'import data from "./data.txt"; export default { fetch() { return new Response(data); } };' },
      "lib/cjs.js": { code: "module.exports = 1;", type: "application/javascript" },
      "text-module.mjs": { code: "export const x = 1;", type: "text/javascript+module" },
      "legacy.js": { code: "exports.y = 2;", type: "text/javascript" },
      "data.txt": { code: "some text", type: "text/plain" },
      "blob.bin": { code: "raw bytes", type: "application/octet-stream" },
      "index.js.map": { code: '{"version":3}', type: "application/source-map" },
      "add.wasm": { code: WASM, type: "application/wasm" },
    };
    await resultOf(await upload(ns, "many", { main_module: "index.js" }, modules));
    const { entrypoint, modules: stored } = await contentOf(ns, "many");
    expect(entrypoint).toBe("index.js");
    for (const [name, { code, type = ESM }] of Object.entries(modules)) {
      const text = typeof code === "string" ? code : new TextDecoder().decode(code);
      expect(stored[name]).toEqual([type, text]);
    }
  });

  it("refuses a module part of a content type the API does not take, naming the part", async () => {
    const ns = await createNamespace();
    const res = await upload(
      ns,
      "json-module",
      { main_module: "index.js" },
      {
        "index.js": { code: HELLO },
        "config.json": { code: "{}", type: "application/json" },
      },
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("config.json");
  });

  it("answers the same etag for the same content and a new one for new content", async () => {
    const ns = await createNamespace();
    const first = await uploadScript(ns, "etags");
    const again = await uploadScript(ns, "etags");
    expect(again.etag).toBe(first.etag);
    const changed = await resultOf<UploadResult>(
      await upload(ns, "etags", { main_module: "index.js" }, { "index.js": { code: `${HELLO}\n// v2` } }),
    );
    expect(changed.etag).not.toBe(first.etag);
    expect(changed.tag).toBe(first.tag);
    const flagged = await uploadScript(ns, "etags", { compatibility_flags: ["nodejs_compat"] });
    expect(flagged.etag).not.toBe(first.etag);
  });

  it("refuses a name outside ^[a-z0-9_][a-z0-9-_]*$ or over 63 characters with 400 and code 10016", async () => {
    const ns = await createNamespace();
    for (const name of ["Upper", "-dash-first", "dot.js", "a".repeat(64), "sp%20ace"]) {
      const error = await errorOf(await upload(ns, name, { main_module: "index.js" }), 400);
      expect(error.code, name).toBe(10016);
    }
    for (const name of ["a".repeat(63), "_under", "0-9_mixed-name"]) {
      expect((await uploadScript(ns, name)).id).toBe(name);
    }
  });

  it("refuses a body over 10 MiB with 413 and code 10027, storing nothing", async () => {
    const ns = await createNamespace();
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    const res = await upload(
      ns,
      "too-big",
      { main_module: "index.js" },
      {
        "index.js": { code: HELLO },
        "big.bin": { code: big, type: "application/octet-stream" },
      },
    );
    expect((await errorOf(res, 413)).code).toBe(10027);
    expect((await errorOf(await call(scriptPath(ns, "too-big")), 404)).code).toBe(10092);
  });

  it("answers 404 and code 100119 for an upload into a namespace that does not exist", async () => {
    const error = await errorOf(await upload(unique("nowhere"), "s", { main_module: "index.js" }), 404);
    expect(error.code).toBe(100119);
  });
});

describe("a refused upload", () => {
  const refusals: {
    what: string;
    send: (ns: string) => Promise<Response>;
    status: number;
    code: number;
    message?: RegExp;
  }[] = [
    {
      what: "a body that is not multipart",
      send: (ns) =>
        call(scriptPath(ns, "kept"), {
          method: "PUT",
          body: JSON.stringify({ main_module: "index.js" }),
          headers: { "content-type": "application/json" },
        }),
      status: 400,
      code: 10001,
    },
    {
      what: "a multipart body that does not parse",
      send: (ns) =>
        call(scriptPath(ns, "kept"), {
          method: "PUT",
          body: '--xyz\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{}',
          headers: { "content-type": "multipart/form-data; boundary=xyz" },
        }),
      status: 400,
      code: 10021,
      message: /not valid multipart/,
    },
    {
      what: "no metadata part",
      send: (ns) => {
        const form = new FormData();
        form.append("index.js", new Blob([HELLO], { type: ESM }), "index.js");
        return call(scriptPath(ns, "kept"), { method: "PUT", body: form });
      },
      status: 400,
      code: 10021,
    },
    {
      what: "metadata that is not JSON",
      send: (ns) => upload(ns, "kept", "{main_module:"),
      status: 400,
      code: 10021,
      message: /metadata part is not valid JSON/,
    },
    { what: "metadata that is not an object", send: (ns) => upload(ns, "kept", "[1]"), status: 400, code: 10021 },
    {
      what: "a malformed compatibility_date",
      send: (ns) => upload(ns, "kept", { main_module: "index.js", compatibility_date: "yesterday" }),
      status: 400,
      code: 10021,
    },
    { what: "no main_module", send: (ns) => upload(ns, "kept", {}), status: 400, code: 10021 },
    {
      what: "a service-worker body_part",
      send: (ns) => upload(ns, "kept", { body_part: "index.js" }),
      status: 400,
      code: 10021,
    },
    {
      what: "a main_module naming no part",
      send: (ns) => upload(ns, "kept", { main_module: "missing.js" }),
      status: 400,
      code: 10021,
    },
    {
      what: "a main module that is not code",
      send: (ns) =>
        upload(ns, "kept", { main_module: "index.js" }, { "index.js": { code: HELLO, type: "text/plain" } }),
      status: 400,
      code: 10021,
    },
    {
      what: "a module part without a filename",
      send: (ns) => {
        const form = uploadForm({ main_module: "index.js" }, {});
        form.append("index.js", HELLO);
        return call(scriptPath(ns, "kept"), { method: "PUT", body: form });
      },
      status: 400,
      code: 10021,
    },
  ];

  for (const { what, send, status, code, message } of refusals) {
    it(`for ${what} answers ${status}/${code} and leaves the previous version intact`, async () => {
      const ns = await createNamespace();
      const before = await uploadScript(ns, "kept");
      const error = await errorOf(await send(ns), status);
      expect(error.code).toBe(code);
      if (message !== undefined) expect(error.message).toMatch(message);
      expect((await getScript(ns, "kept")).script.etag).toBe(before.etag);
      expect((await contentOf(ns, "kept")).modules["index.js"]).toEqual([ESM, HELLO]);
    });
  }

  it("for a refused first upload stores nothing", async () => {
    const ns = await createNamespace();
    expect((await errorOf(await upload(ns, "never", { main_module: "nope.js" }), 400)).code).toBe(10021);
    expect((await errorOf(await call(scriptPath(ns, "never")), 404)).code).toBe(10092);
  });
});

describe("script read and delete", () => {
  it("answers 404 and code 10092 for the details of a script that does not exist, as wrangler expects", async () => {
    const ns = await createNamespace();
    const error = await errorOf(await call(scriptPath(ns, "ghost")), 404);
    expect(error).toEqual({ code: 10092, message: "workers.api.error.environment_not_found" });
  });

  it("answers 404 and code 10007 for the parts of a script that does not exist", async () => {
    const ns = await createNamespace();
    for (const rest of ["/content", "/bindings", "/settings", "/tags", "/secrets"]) {
      const error = await errorOf(await call(scriptPath(ns, "ghost", rest)), 404);
      expect(error, rest).toEqual({ code: 10007, message: "This Worker does not exist on your account." });
    }
  });

  it("deletes a script (force accepted) and then answers 10007 for it", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "gone");
    expect(await resultOf(await call(`${scriptPath(ns, "gone")}?force=true`, { method: "DELETE" }))).toBeNull();
    expect((await errorOf(await call(scriptPath(ns, "gone")), 404)).code).toBe(10092);
    expect((await errorOf(await call(scriptPath(ns, "gone"), { method: "DELETE" }), 404)).code).toBe(10007);
    const namespace = await resultOf<{ script_count: number }>(await call(nsPath(ns)));
    expect(namespace.script_count).toBe(0);
  });

  it("lists a namespace's scripts in name order, a page at a time", async () => {
    const ns = await createNamespace();
    for (const name of ["c", "a", "b"]) await uploadScript(ns, name);
    const res = await call(`${nsPath(ns, "/scripts")}?limit=2`);
    const body = await res.json<{ result: NamespaceScript[]; result_info: { cursor: string; count: number } }>();
    expect(body.result.map((s) => s.script.id)).toEqual(["a", "b"]);
    expect(body.result[0]?.dispatch_namespace).toBe(ns);
    expect(body.result_info.cursor).not.toBe("");
    const next = await call(`${nsPath(ns, "/scripts")}?limit=2&cursor=${body.result_info.cursor}`);
    const rest = await next.json<{ result: NamespaceScript[]; result_info: { cursor: string } }>();
    expect(rest.result.map((s) => s.script.id)).toEqual(["c"]);
    expect(rest.result_info.cursor).toBe("");
    expect((await errorOf(await call(`${nsPath(ns, "/scripts")}?limit=0`), 400)).code).toBe(10021);
  });

  it("answers 405 for a method a script path does not have", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "methods");
    expect((await errorOf(await call(scriptPath(ns, "methods"), { method: "PATCH" }), 405)).code).toBe(10405);
    expect((await errorOf(await call(scriptPath(ns, "methods", "/content"), { method: "POST" }), 405)).code).toBe(
      10405,
    );
    expect((await errorOf(await call(nsPath(ns, "/scripts"), { method: "PUT" }), 405)).code).toBe(10405);
  });

  it("keeps accounts apart", async () => {
    const ns = await createNamespace();
    await resultOf(
      await call(`/client/v4/accounts/${OTHER_ACCOUNT}/workers/dispatch/namespaces`, {
        method: "POST",
        body: JSON.stringify({ name: ns }),
        headers: { "content-type": "application/json" },
      }),
    );
    await uploadScript(ns, "private");
    const error = await errorOf(await call(scriptPath(ns, "private", "", OTHER_ACCOUNT)), 404);
    expect(error.code).toBe(10092);
    const theirs = await uploadScript(ns, "private", { compatibility_flags: ["nodejs_compat"] }, OTHER_ACCOUNT);
    expect((await getScript(ns, "private")).script.compatibility_flags).toEqual([]);
    expect(theirs.etag).not.toBe((await getScript(ns, "private")).script.etag);
  });
});

describe("script content", () => {
  it("replaces the modules and keeps bindings and settings", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "swap", {
      bindings: [{ type: "plain_text", name: "GREETING", text: "hi" }],
      limits: { cpu_ms: 50 },
    });
    const form = new FormData();
    form.append("main.js", new Blob(["export default {};"], { type: ESM }), "main.js");
    const res = await call(scriptPath(ns, "swap", "/content"), {
      method: "PUT",
      body: form,
      headers: { "cf-worker-main-module-part": "main.js" },
    });
    const result = await resultOf<UploadResult>(res);
    expect(result.etag).not.toBe(before.etag);
    expect(await contentOf(ns, "swap")).toEqual({
      entrypoint: "main.js",
      modules: { "main.js": [ESM, "export default {};"] },
    });
    const settings = await resultOf<{ bindings: unknown[]; limits: unknown }>(
      await call(scriptPath(ns, "swap", "/settings")),
    );
    expect(settings.bindings).toEqual([{ type: "plain_text", name: "GREETING", text: "hi" }]);
    expect(settings.limits).toEqual({ cpu_ms: 50 });
  });

  it("takes the entry module from a metadata part, or keeps the current one", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "entry");
    const withMetadata = uploadForm({ main_module: "next.js" }, { "next.js": { code: "export default {};" } });
    await resultOf(await call(scriptPath(ns, "entry", "/content"), { method: "PUT", body: withMetadata }));
    expect((await contentOf(ns, "entry")).entrypoint).toBe("next.js");
    const form = new FormData();
    form.append("next.js", new Blob(["export default { v: 2 };"], { type: ESM }), "next.js");
    await resultOf(await call(scriptPath(ns, "entry", "/content"), { method: "PUT", body: form }));
    expect((await contentOf(ns, "entry")).modules["next.js"]).toEqual([ESM, "export default { v: 2 };"]);
  });

  it("refuses content whose entry module is missing, and content for a script that does not exist", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "strict");
    const form = new FormData();
    form.append("other.js", new Blob(["export default {};"], { type: ESM }), "other.js");
    const refused = await call(scriptPath(ns, "strict", "/content"), { method: "PUT", body: form });
    expect((await errorOf(refused, 400)).code).toBe(10021);
    expect((await getScript(ns, "strict")).script.etag).toBe(before.etag);
    const again = new FormData();
    again.append("index.js", new Blob([HELLO], { type: ESM }), "index.js");
    const missing = await call(scriptPath(ns, "nobody", "/content"), { method: "PUT", body: again });
    expect((await errorOf(missing, 404)).code).toBe(10007);
  });
});

describe("script settings stored with an upload", () => {
  it("stores limits, usage model, placement, observability, logpush and tail consumers", async () => {
    const ns = await createNamespace();
    const metadata = {
      main_module: "index.js",
      limits: { cpu_ms: 100, subrequests: 20 },
      usage_model: "unbound" as const,
      placement: { mode: "smart" as const },
      observability: { enabled: true, head_sampling_rate: 0.5 },
      logpush: true,
      tail_consumers: [{ service: "tail-worker" }],
    };
    const result = await resultOf<UploadResult>(await upload(ns, "configured", metadata));
    expect(result).toMatchObject({
      usage_model: "unbound",
      placement_mode: "smart",
      logpush: true,
      tail_consumers: [{ service: "tail-worker" }],
    });
    const settings = await resultOf(await call(scriptPath(ns, "configured", "/settings")));
    expect(settings).toMatchObject({
      limits: metadata.limits,
      usage_model: "unbound",
      placement: metadata.placement,
      observability: metadata.observability,
      logpush: true,
      tail_consumers: metadata.tail_consumers,
    });
    // A later upload that does not mention them keeps them.
    await uploadScript(ns, "configured");
    expect(await resultOf(await call(scriptPath(ns, "configured", "/settings")))).toMatchObject({
      limits: metadata.limits,
      logpush: true,
    });
  });
});

describe("migrations", () => {
  it("records new_tag and requires old_tag to match the current tag", async () => {
    const ns = await createNamespace();
    // The class a migration creates must be exported by the script.
    const rooms = { "index.js": { code: `${HELLO}\nexport class Room {}` } };
    const uploadRooms = async (metadata: Partial<ScriptMetadataInput>) =>
      resultOf<{ etag: string }>(await upload(ns, "rooms", { main_module: "index.js", ...metadata }, rooms));
    const migrations = { new_tag: "v1", new_sqlite_classes: ["Room"] };
    const first = await uploadRooms({ migrations });
    expect((await getScript(ns, "rooms")).script.migration_tag).toBe("v1");

    for (const stale of [{ old_tag: "v0", new_tag: "v2" }, { new_tag: "v2" }]) {
      const error = await errorOf(await upload(ns, "rooms", { main_module: "index.js", migrations: stale }), 400);
      expect(error).toEqual({ code: 10079, message: "Migration tag precondition failed; current tag is v1" });
      expect((await getScript(ns, "rooms")).script).toMatchObject({ migration_tag: "v1", etag: first.etag });
    }

    await uploadRooms({ migrations: { old_tag: "v1", new_tag: "v2", deleted_classes: ["Room"] } });
    expect((await getScript(ns, "rooms")).script.migration_tag).toBe("v2");
    await uploadRooms({});
    expect((await getScript(ns, "rooms")).script.migration_tag).toBe("v2");
  });

  it("refuses an old_tag for a script that has no migrations yet", async () => {
    const ns = await createNamespace();
    const res = await upload(ns, "fresh", { main_module: "index.js", migrations: { old_tag: "v1", new_tag: "v2" } });
    expect((await errorOf(res, 400)).code).toBe(10079);
  });
});

describe("the runnable script", () => {
  const store = () => env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT));

  it("holds everything needed to run the script, with module bodies in SCRIPT_MODULES", async () => {
    const ns = await createNamespace();
    const result = await uploadScript(ns, "runner", {
      compatibility_date: "2025-02-02",
      compatibility_flags: ["nodejs_compat"],
      bindings: [{ type: "secret_text", name: "TOKEN", text: "s3cr3t" }],
      limits: { cpu_ms: 10 },
    });
    const runnable = await store().getRunnableScript(ns, "runner");
    expect(runnable).toEqual({
      tag: result.tag,
      etag: result.etag,
      mainModule: "index.js",
      modules: [{ name: "index.js", type: ESM, r2Key: `${ACCOUNT}/${ns}/runner/${result.etag}/index.js` }],
      compatibilityDate: "2025-02-02",
      compatibilityFlags: ["nodejs_compat"],
      bindings: [{ type: "secret_text", name: "TOKEN", text: "s3cr3t" }],
      limits: { cpu_ms: 10 },
      objectClasses: [],
    });
    const body = await env.SCRIPT_MODULES.get(runnable?.modules[0]?.r2Key ?? "");
    expect(await body?.text()).toBe(HELLO);
    expect(await store().getRunnableScript(ns, "nobody")).toBeNull();
  });

  it("keeps every version's bodies while the script is there, and deletes them all with it", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "cleanup");
    const old = await store().getRunnableScript(ns, "cleanup");
    await resultOf(
      await upload(ns, "cleanup", { main_module: "index.js" }, { "index.js": { code: "export default {};" } }),
    );
    const current = await store().getRunnableScript(ns, "cleanup");
    expect(current?.etag).not.toBe(old?.etag);
    // The first version can be deployed again (a rollback), so its bodies stay.
    expect(await env.SCRIPT_MODULES.head(old?.modules[0]?.r2Key ?? "")).not.toBeNull();
    expect(await env.SCRIPT_MODULES.head(current?.modules[0]?.r2Key ?? "")).not.toBeNull();
    await resultOf(await call(scriptPath(ns, "cleanup"), { method: "DELETE" }));
    expect(await env.SCRIPT_MODULES.head(old?.modules[0]?.r2Key ?? "")).toBeNull();
    expect(await env.SCRIPT_MODULES.head(current?.modules[0]?.r2Key ?? "")).toBeNull();
  });
});
