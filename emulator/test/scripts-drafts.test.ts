import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import { digestModules, type ModuleUpload } from "../src/scripts/modules";
import { ACCOUNT, call, json, resultOf } from "./helpers";
import { createNamespace, ESM, HELLO, nsPath, scriptPath, uploadScript } from "./scripts-helpers";

const store = () => env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT));

/** What a start of the draft found, as upload-flow.ts would hand it to the commit. */
const started = { handlers: ["fetch"], startupMs: 3 };

const modules: ModuleUpload[] = [{ name: "index.js", type: ESM, body: new TextEncoder().encode(`${HELLO}\n// v2`) }];

async function draftV2(ns: string, script: string) {
  const drafted = await store().draftUpload(ACCOUNT, {
    namespace: ns,
    script,
    metadata: { main_module: "index.js", compatibility_date: COMPATIBILITY_DATE, keep_bindings: ["secret_text"] },
    mainModule: "index.js",
    modules: await digestModules(modules),
    strictInherit: false,
    deploy: true,
  });
  if (!drafted.ok) throw new Error(drafted.error.message);
  return drafted.value;
}

/** An upload is drafted, checked outside the store, then committed: the commit must not undo what came between. */
describe("an upload's draft", () => {
  it("writes nothing until it is committed, and then is the script's version", async () => {
    const ns = await createNamespace();
    const { etag } = await uploadScript(ns, "drafted");
    const draft = await draftV2(ns, "drafted");
    expect(draft.record.etag).not.toBe(etag);
    expect(await env.SCRIPT_MODULES.head(draft.record.version.modules[0]?.r2Key ?? "")).toBeNull();
    expect((await store().getRunnableScript(ns, "drafted"))?.etag).toBe(etag);

    const committed = await store().commitVersion(draft, modules, started);
    expect(committed?.script.startup_time_ms).toBe(3);
    expect(committed?.version.resources.script.handlers).toEqual(["fetch"]);
    expect(committed?.script.etag).toBe(draft.record.etag);
    expect((await store().getRunnableScript(ns, "drafted"))?.etag).toBe(draft.record.etag);
  });

  it("is refused once the script has changed, so that drafting again keeps the change", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "raced");
    const stale = await draftV2(ns, "raced");
    await resultOf(
      await call(scriptPath(ns, "raced", "/secrets"), json("PUT", { name: "S", text: "x", type: "secret_text" })),
    );
    expect(await store().commitVersion(stale, modules, started)).toBeNull();
    expect(await env.SCRIPT_MODULES.head(stale.record.version.modules[0]?.r2Key ?? "")).toBeNull();

    const fresh = await draftV2(ns, "raced");
    expect(await store().commitVersion(fresh, modules, started)).not.toBeNull();
    expect((await store().getRunnableScript(ns, "raced"))?.bindings).toEqual([
      { type: "secret_text", name: "S", text: "x" },
    ]);
  });

  it("refused, leaves the bodies it wrote ahead to another upload of the same version that committed", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "twins");
    const [one, two] = [await draftV2(ns, "twins"), await draftV2(ns, "twins")];
    // The same content drafted twice is one etag, so both commits write the same bodies ahead.
    expect(two.record.etag).toBe(one.record.etag);
    const outcomes = await Promise.all([
      store().commitVersion(one, modules, started),
      store().commitVersion(two, modules, started),
    ]);
    expect(outcomes.filter((o) => o === null)).toHaveLength(1);
    const key = one.record.version.modules[0]?.r2Key ?? "";
    expect(await env.SCRIPT_MODULES.head(key)).not.toBeNull();
    expect((await store().getRunnableScript(ns, "twins"))?.etag).toBe(one.record.etag);
  });

  it("is refused once its namespace is gone, even for a first upload", async () => {
    const ns = await createNamespace();
    const stale = await draftV2(ns, "orphan");
    await resultOf(await call(nsPath(ns), { method: "DELETE" }));
    expect(await store().commitVersion(stale, modules, started)).toBeNull();
  });

  it("is refused after a settings PATCH, and drafted again keeps the patched settings", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "settled");
    const stale = await draftV2(ns, "settled");
    const form = new FormData();
    form.set("settings", JSON.stringify({ logpush: true }));
    await resultOf(await call(scriptPath(ns, "settled", "/settings"), { method: "PATCH", body: form }));
    expect(await store().commitVersion(stale, modules, started)).toBeNull();

    const committed = await store().commitVersion(await draftV2(ns, "settled"), modules, started);
    expect(committed?.script.logpush).toBe(true);
  });
});
