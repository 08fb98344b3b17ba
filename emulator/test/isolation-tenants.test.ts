import { describe, expect, it } from "vitest";
import { createNamespace, dispatch, uploadScript } from "./tenant";

const respond = (body: string) => ({
  "index.js": `export default { async fetch() { return new Response(${JSON.stringify(body)}); } };`,
});

describe("tenants cannot harm each other", () => {
  it("a tenant that throws fails its own request; the next request of another tenant is served", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "thrower", {
      modules: { "index.js": `export default { async fetch() { throw new Error("tenant bug"); } };` },
    });
    await uploadScript(ns, "healthy", { modules: respond("fine") });
    await expect(dispatch(ns, "thrower", "http://x/")).rejects.toThrow("tenant bug");
    expect(await (await dispatch(ns, "healthy", "http://x/")).text()).toBe("fine");
  });

  // (A script that crashes while loading is refused at upload: scripts-startup.test.ts.)
  it("a tenant whose code throws fails its own request only", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "broken", {
      modules: { "index.js": `export default { fetch() { throw new Error("handler crash"); } };` },
    });
    await uploadScript(ns, "healthy", { modules: respond("fine") });
    await expect(dispatch(ns, "broken", "http://x/")).rejects.toThrow();
    expect(await (await dispatch(ns, "healthy", "http://x/")).text()).toBe("fine");
  });

  it("a tenant that loops holds up no request of another tenant once its request is over", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "looper", {
      modules: {
        "index.js": `export default { async fetch() { const end = Date.now() + 300; while (Date.now() < end) {} return new Response("looped"); } };`,
      },
    });
    await uploadScript(ns, "healthy", { modules: respond("fine") });
    // workerd cannot preempt a busy loop locally (no CPU limit: emulator/README.md); what must hold
    // is that the loop leaves nothing behind for the next request.
    expect(await (await dispatch(ns, "looper", "http://x/")).text()).toBe("looped");
    expect(await (await dispatch(ns, "healthy", "http://x/")).text()).toBe("fine");
  });

  it("a tenant sees only its own secrets and values, never another tenant's", async () => {
    const ns = await createNamespace();
    const reader = {
      "index.js": `export default { async fetch(request, env) {
        return Response.json({ keys: Object.keys(env).sort(), secret: env.API_KEY, globals: typeof globalThis.API_KEY });
      } };`,
    };
    await uploadScript(ns, "alice", {
      modules: reader,
      bindings: [{ type: "secret_text", name: "API_KEY", text: "alice-secret" }],
    });
    await uploadScript(ns, "bob", {
      modules: reader,
      bindings: [{ type: "secret_text", name: "API_KEY", text: "bob-secret" }],
    });
    expect(await (await dispatch(ns, "alice", "http://x/")).json()).toEqual({
      keys: ["API_KEY"],
      secret: "alice-secret",
      globals: "undefined",
    });
    expect(await (await dispatch(ns, "bob", "http://x/")).json()).toMatchObject({ secret: "bob-secret" });
  });

  it("a tenant cannot reach the emulator's API or admin routes, by any loopback spelling", async () => {
    const ns = await createNamespace();
    const targets = [
      "http://127.0.0.1:8789/client/v4/accounts",
      "http://localhost:8789/__emulator/faults",
      "http://[::1]:8789/client/v4/accounts",
      "http://127.1.2.3:8789/client/v4/accounts",
      "http://0.0.0.0:8789/__emulator/health",
    ];
    await uploadScript(ns, "snoop", {
      modules: {
        "index.js": `export default { async fetch() {
          const out = [];
          for (const url of ${JSON.stringify(targets)}) {
            try { const r = await fetch(url); out.push("reached " + r.status); } catch (e) { out.push(e.message); }
          }
          return Response.json(out);
        } };`,
      },
    });
    const results = await (await dispatch(ns, "snoop", "http://x/")).json<string[]>();
    expect(results).toHaveLength(targets.length);
    for (const result of results) expect(result).toMatch(/cannot reach loopback/);
  });

  it("a tenant cannot spend another invocation's subrequest budget or skip its own by forging the tag", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "forger", {
      modules: {
        "index.js": `export default { async fetch() {
          const out = [];
          for (let i = 0; i < 3; i++) {
            try { await fetch("http://api.example/", { headers: { "x-wfp-invocation": "forged" } }); out.push("sent"); }
            catch (e) { out.push(e.message); }
          }
          return Response.json(out);
        } };`,
      },
    });
    // With a limit of one, the forged header changes nothing: the second and third are refused.
    const res = await dispatch(ns, "forger", "http://x/", { limits: { subRequests: 1 }, outbound: {} });
    const results = await res.json<string[]>();
    expect(results.slice(1)).toEqual(["Too many subrequests.", "Too many subrequests."]);
  });
});
