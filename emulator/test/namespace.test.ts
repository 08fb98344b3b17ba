import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import type { ScriptUpload } from "../../test/shared/emulator-client";
import { bindingKinds } from "../src/bindings";
import { runnableBindingTypes } from "../src/bindings/runnable-types";
import { ACCOUNT, acct, call, errorOf } from "./helpers";
import { createNamespace, dispatch, emulator, namespaceBinding, uploadScript } from "./tenant";

const hello = (greeting: string) => ({
  "index.js": `export default { async fetch(request, env) { return new Response("${greeting} " + new URL(request.url).pathname + " " + (env.WHO ?? "")); } };`,
});

describe("running uploaded scripts", () => {
  it("serves an uploaded script, then the new code on the next request after a re-upload, then 'Worker not found' after delete", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "acme", {
      modules: hello("hello"),
      bindings: [{ type: "plain_text", name: "WHO", text: "acme" }],
    });
    const first = await dispatch(ns, "acme", "http://acme.example/path");
    expect(first.status).toBe(200);
    expect(await first.text()).toBe("hello /path acme");

    await uploadScript(ns, "acme", {
      modules: hello("bonjour"),
      bindings: [{ type: "plain_text", name: "WHO", text: "acme" }],
    });
    expect(await (await dispatch(ns, "acme", "http://acme.example/x")).text()).toBe("bonjour /x acme");

    expect((await call(acct(`/workers/dispatch/namespaces/${ns}/scripts/acme`), { method: "DELETE" })).status).toBe(
      200,
    );
    await expect(dispatch(ns, "acme", "http://acme.example/")).rejects.toThrow("Worker not found");
  });

  it("get() never throws for a missing script; fetch() fails with 'Worker not found'", async () => {
    const ns = await createNamespace();
    const handle = namespaceBinding(ns).get("does-not-exist");
    const fetched = (async () => handle.fetch(new Request("http://x/")))();
    await expect(fetched).rejects.toThrow("Worker not found");
  });

  it("keeps namespaces and accounts apart: the same script name elsewhere is not found", async () => {
    const ns = await createNamespace();
    const other = await createNamespace();
    await uploadScript(ns, "shared-name", { modules: hello("mine") });
    await expect(dispatch(other, "shared-name", "http://x/")).rejects.toThrow("Worker not found");
    const otherAccount = namespaceBinding(ns, { accountId: "f".repeat(32) });
    await expect(dispatch(ns, "shared-name", "http://x/", {}, otherAccount)).rejects.toThrow("Worker not found");
  });

  it("passes method, headers and a streamed body through in both directions", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "echo", {
      modules: {
        "index.js": `export default { async fetch(request) {
          const body = await request.text();
          return new Response(body.toUpperCase(), { status: 201, headers: { "x-method": request.method, "x-in": request.headers.get("x-in") ?? "" } });
        } };`,
      },
    });
    const res = await dispatch(
      ns,
      "echo",
      new Request("http://x/", { method: "POST", body: "streamed body", headers: { "x-in": "header" } }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("x-method")).toBe("POST");
    expect(res.headers.get("x-in")).toBe("header");
    expect(await res.text()).toBe("STREAMED BODY");
  });

  it("runs a script with several modules, a class-based entrypoint and compatibility flags from the upload", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "modular", {
      mainModule: "src/index.js",
      compatibilityFlags: ["nodejs_compat"],
      modules: {
        "src/index.js": `import { WorkerEntrypoint } from "cloudflare:workers";
          import { shout } from "./lib/shout.js";
          import { Buffer } from "node:buffer";
          export default class extends WorkerEntrypoint {
            async fetch() { return new Response(shout(Buffer.from("hi").toString("base64")) + " " + this.env.WHO); }
          }`,
        "src/lib/shout.js": `export const shout = (s) => s.toUpperCase();`,
      },
      bindings: [{ type: "plain_text", name: "WHO", text: "class" }],
    });
    expect(await (await dispatch(ns, "modular", "http://x/")).text()).toBe("AGK= class");
  });

  it("hands secrets and json bindings to the script as values", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "values", {
      modules: {
        "index.js": `export default { async fetch(r, env) { return Response.json({ secret: env.API_KEY, config: env.CONFIG }); } };`,
      },
      bindings: [
        { type: "secret_text", name: "API_KEY", text: "s3cr3t" },
        { type: "json", name: "CONFIG", json: { plan: "pro", limits: [1, 2] } },
      ],
    });
    expect(await (await dispatch(ns, "values", "http://x/")).json()).toEqual({
      secret: "s3cr3t",
      config: { plan: "pro", limits: [1, 2] },
    });
  });
});

describe("bounded memory", () => {
  it("evicts the least recently used workers past the bound, and a re-upload's old version", async () => {
    const ns = await createNamespace();
    const counter = {
      "index.js": `let served = 0; export default { async fetch() { return new Response(String(++served)); } };`,
    };
    await uploadScript(ns, "counted", { modules: counter });
    expect(await (await dispatch(ns, "counted", "http://x/")).text()).toBe("1");
    expect(await (await dispatch(ns, "counted", "http://x/")).text()).toBe("2");
    // The tests run with MAX_LOADED_WORKERS=4: five other scripts push "counted" out.
    for (let i = 0; i < 5; i++) {
      await uploadScript(ns, `other-${i}`, { modules: hello(`other ${i}`) });
      await dispatch(ns, `other-${i}`, "http://x/");
    }
    await expect
      .poll(async () => (await dispatch(ns, "counted", "http://x/")).text(), { interval: 50, timeout: 5000 })
      .toBe("1");
    // Loaded again under a new name, it keeps serving.
    expect(await (await dispatch(ns, "counted", "http://x/")).text()).toBe("2");
  });
});

describe("egress", () => {
  const fetcher = (count: number, url = "http://api.example/thing") => ({
    "index.js": `export default { async fetch() {
      const out = [];
      for (let i = 0; i < ${count}; i++) {
        try { const r = await fetch("${url}?n=" + i); out.push(await r.json()); }
        catch (e) { out.push({ error: e.message }); }
      }
      return Response.json(out);
    } };`,
  });

  it("sends every subrequest through the outbound worker with the dispatch's parameters", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "caller", { modules: fetcher(1) });
    const res = await dispatch(
      ns,
      "caller",
      "http://x/",
      { outbound: { tenantId: "acme", plan: "pro" } },
      namespaceBinding(ns, { outbound: true }),
    );
    const [first] =
      await res.json<{ outbound: boolean; params: unknown; invocationHeader: string | null; url: string }[]>();
    expect(first).toMatchObject({
      outbound: true,
      params: { tenantId: "acme", plan: "pro" },
      url: "http://api.example/thing?n=0",
    });
    // The emulator's own bookkeeping never reaches the outbound worker.
    expect(first?.invocationHeader).toBeNull();
  });

  it("enforces limits.subRequests per request", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "greedy", { modules: fetcher(4) });
    const binding = namespaceBinding(ns, { outbound: true });
    const results = await (await dispatch(ns, "greedy", "http://x/", { limits: { subRequests: 2 } }, binding)).json<
      { outbound?: boolean; error?: string }[]
    >();
    expect(results.map((r) => r.outbound ?? r.error)).toEqual([
      true,
      true,
      "Too many subrequests.",
      "Too many subrequests.",
    ]);
    // The budget is per request: the next request starts afresh.
    const again = await (await dispatch(ns, "greedy", "http://x/", { limits: { subRequests: 2 } }, binding)).json<
      { outbound?: boolean }[]
    >();
    expect(again.filter((r) => r.outbound).length).toBe(2);
  });

  it("records the limits a script was dispatched with, cpuMs included (not enforceable locally)", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "limited", { modules: fetcher(0) });
    await dispatch(ns, "limited", "http://x/", { limits: { cpuMs: 50, subRequests: 10 } });
    const records = await (await call(`/__emulator/dispatches/${ACCOUNT}`)).json<{ result: unknown[] }>();
    expect(records.result).toContainEqual(
      expect.objectContaining({ namespace: ns, script: "limited", limits: { cpuMs: 50, subRequests: 10 } }),
    );
  });

  it("refuses subrequests to loopback when there is no outbound worker", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "snoop", { modules: fetcher(1, "http://127.0.0.1:8789/client/v4/accounts") });
    const [result] = await (await dispatch(ns, "snoop", "http://x/")).json<{ error?: string }[]>();
    expect(result?.error).toMatch(/loopback/);
  });
});

describe("analytics engine", () => {
  it("records data points per dataset, readable through the emulator", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "metered", {
      modules: {
        "index.js": `export default { async fetch(r, env) {
          env.ANALYTICS.writeDataPoint({ indexes: ["acme"], blobs: ["/path", null], doubles: [200, 12.5] });
          let error = null;
          try { env.ANALYTICS.writeDataPoint({ indexes: ["a", "b"] }); } catch (e) { error = e.message; }
          return Response.json({ error });
        } };`,
      },
      bindings: [{ type: "analytics_engine", name: "ANALYTICS", dataset: "requests" }],
    });
    const body = await (await dispatch(ns, "metered", "http://x/")).json<{ error: string }>();
    expect(body.error).toMatch(/Too many indexes/);
    const read = async () =>
      (await call(`/__emulator/analytics/${ACCOUNT}/requests?limit=10`)).json<{ result: unknown[] }>();
    await expect.poll(async () => (await read()).result.length).toBe(1);
    expect((await read()).result[0]).toMatchObject({
      dataset: "requests",
      script: "metered",
      indexes: ["acme"],
      blobs: ["/path", null],
      doubles: [200, 12.5],
    });
  });
});

describe("bindings an uploaded script cannot have", () => {
  it("the upload accepts exactly the binding types the runtime registers", () => {
    expect([...runnableBindingTypes].sort()).toEqual([...bindingKinds.keys()].sort());
  });

  it("refuses a service binding, as production does for user workers, and stores nothing", async () => {
    const ns = await createNamespace();
    const res = await emulator.uploadScript(
      ns,
      "svc",
      minimalUpload({ bindings: [{ type: "service", name: "OTHER", service: "another-tenant" }] }),
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toMatch(/service bindings/);
    await expect(dispatch(ns, "svc", "http://x/")).rejects.toThrow("Worker not found");
  });

  it("refuses a Durable Object binding to another script's class, naming the emulator's gap", async () => {
    const ns = await createNamespace();
    const res = await emulator.uploadScript(
      ns,
      "room",
      minimalUpload({
        bindings: [{ type: "durable_object_namespace", name: "ROOMS", class_name: "Room", script_name: "other" }],
      }),
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toMatch(/ROOMS.*only a script's own Durable Object classes/);
  });
});

/** A minimal upload with these bindings (and migrations). */
const minimalUpload = (more: Pick<ScriptUpload, "bindings"> & Partial<ScriptUpload>): ScriptUpload => ({
  mainModule: "index.js",
  modules: { "index.js": "export default { fetch() { return new Response('x'); } };" },
  compatibilityDate: COMPATIBILITY_DATE,
  tags: [],
  ...more,
});

describe("the namespace binding's own fetch() (the local dispatcher's WebSocket path)", () => {
  it("runs the script its header names, and answers 400 to a request that names none or is not JSON", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "named", {
      modules: { "index.js": "export default { fetch: () => new Response('named') };" },
    });
    const binding = namespaceBinding(ns) as unknown as Fetcher;
    const named = await binding.fetch("http://t/", {
      headers: { "x-wfp-local-dispatch": JSON.stringify({ script: "named" }) },
    });
    expect(await named.text()).toBe("named");
    for (const header of [undefined, "not json", JSON.stringify({ script: 42 })]) {
      const res = await binding.fetch(
        "http://t/",
        header === undefined ? {} : { headers: { "x-wfp-local-dispatch": header } },
      );
      expect([res.status, await res.text()]).toEqual([400, "a dispatch namespace is reached through get()"]);
    }
  });
});
