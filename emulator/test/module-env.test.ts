import { describe, expect, it } from "vitest";
import { createNamespace, dispatch, uploadScript } from "./tenant";

/**
 * A tenant that reads `env` from `cloudflare:workers` at the top level of two of its modules and in its
 * handler, enumerates it every way there is, and uses what it finds.
 */
const reader = {
  "index.js": `import { env } from "cloudflare:workers";
import { libView } from "./lib.js";
const topView = { keys: Reflect.ownKeys(env).map(String).sort(), egress: typeof env.__wfp_egress };
export default { async fetch(request, handlerEnv) {
  let syncThrow = null;
  try { env.AE.writeDataPoint({ indexes: ["a", "b"] }); } catch (e) { syncThrow = e.message; }
  let result;
  try { result = String(env.AE.writeDataPoint({ indexes: ["ok"] })); } catch (e) { result = e.message; }
  return Response.json({
    topView, libView,
    handlerKeys: Reflect.ownKeys(env).map(String).sort(),
    handlerEnvKeys: Reflect.ownKeys(handlerEnv).map(String).sort(),
    sameBinding: env.AE === handlerEnv.AE,
    secret: env.SECRET,
    syncThrow, result,
    internals: Object.getOwnPropertyNames(env).filter((k) => k.startsWith("__wfp")),
  });
} };`,
  "lib.js": `import { env } from "cloudflare:workers";
export const libView = { keys: Object.keys(env).sort(), secret: env.SECRET };`,
};

describe("env from cloudflare:workers in a tenant's modules", () => {
  it("holds the tenant's own bindings, as clients, and nothing of the emulator's, at the top level and in handlers", async () => {
    const ns = await createNamespace();
    const bindings = (secret: string) => [
      { type: "secret_text", name: "SECRET", text: secret },
      { type: "plain_text", name: "NAME", text: "tenant" },
      { type: "analytics_engine", name: "AE", dataset: "module_env" },
    ];
    await uploadScript(ns, "alice", { modules: reader, bindings: bindings("alice-secret") });
    await uploadScript(ns, "bob", { modules: reader, bindings: bindings("bob-secret") });
    const seen = await (await dispatch(ns, "alice", "http://x/")).json<Record<string, unknown>>();
    const own = ["AE", "NAME", "SECRET"];
    expect(seen).toEqual({
      topView: { keys: own, egress: "undefined" },
      libView: { keys: own, secret: "alice-secret" },
      handlerKeys: own,
      handlerEnvKeys: own,
      sameBinding: true,
      secret: "alice-secret",
      // The client's synchronous check, as the runtime throws: the raw stub would have returned a promise.
      syncThrow: expect.stringMatching(/Too many indexes/),
      result: "undefined",
      internals: [],
    });
    expect(((await (await dispatch(ns, "bob", "http://x/")).json()) as { secret: string }).secret).toBe("bob-secret");
  });
});
