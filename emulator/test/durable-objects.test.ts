import { describe, expect, it } from "vitest";
import { createNamespace, dispatch, uploadScript } from "./tenant";

const COUNTER = `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async fetch(request) {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return Response.json({ n, id: this.ctx.id.toString() });
  }
  add(k) { const n = (this.ctx.storage.kv.get("n") ?? 0) + k; this.ctx.storage.kv.put("n", n); return n; }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.COUNTER.getByName(url.searchParams.get("name") ?? "a");
    if (url.pathname === "/rpc") return Response.json(await stub.add(10));
    return stub.fetch(request);
  },
};`;

describe("a tenant's Durable Objects", () => {
  it("count through fetch and RPC", async () => {
    const namespace = await createNamespace();
    await uploadScript(namespace, "counter", {
      modules: { "index.js": COUNTER },
      bindings: [{ type: "durable_object_namespace", name: "COUNTER", class_name: "Counter" }],
      migrations: { new_tag: "v1", new_sqlite_classes: ["Counter"] },
    });
    const first = await (await dispatch(namespace, "counter", "http://t/")).json();
    const second = await (await dispatch(namespace, "counter", "http://t/")).json();
    expect(first).toMatchObject({ n: 1 });
    expect(second).toMatchObject({ n: 2 });
    expect(await (await dispatch(namespace, "counter", "http://t/rpc")).json()).toBe(12);
  });
});
