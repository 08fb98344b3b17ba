import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../platform/tenant-logs";
import { createNamespace, dispatch, namespaceBinding, uploadScript } from "./tenant";

/** The tail Worker stand-in (vitest.config.ts) behind the emulator's TAIL binding. */
const tail = env.TAIL as unknown as { recorded(): Promise<TraceEvent[]> };

async function eventsOf(script: string, count: number): Promise<TraceEvent[]> {
  const started = Date.now();
  for (;;) {
    const events = (await tail.recorded()).filter((e) => e.scriptName === script);
    if (events.length >= count || Date.now() - started > 10_000) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const LOGGER = `export default {
  async fetch(request) {
    const url = new URL(request.url);
    console.log("marker", 42, { deep: true });
    console.error("something bad");
    if (url.pathname === "/boom") throw new TypeError("tenant exploded");
    return new Response("fine", { status: 201 });
  },
};`;

describe("a loaded script's trace events", () => {
  it("reach the tail Worker with the script's name and namespace, its logs, exceptions and outcome, and no headers", async () => {
    const namespace = await createNamespace();
    const script = `logger-${crypto.randomUUID().slice(0, 8)}`;
    await uploadScript(namespace, script, { modules: { "index.js": LOGGER } });
    const binding = namespaceBinding(namespace, { tail: true });
    const headers = { authorization: "Bearer secret-of-the-client", "x-wfp-run": "internal" };
    const ok = await dispatch(namespace, script, new Request("http://t.example/ok", { headers }), {}, binding);
    // An invocation ends, and its trace event is delivered, once its response body has been read.
    expect([ok.status, await ok.text()]).toEqual([201, "fine"]);
    await dispatch(namespace, script, "http://t.example/boom", {}, binding).catch(() => undefined);

    const events = await eventsOf(script, 2);
    const fine = events.find((e) => e.request?.url === "http://t.example/ok");
    const boom = events.find((e) => e.request?.url === "http://t.example/boom");
    expect(fine).toMatchObject({
      scriptName: script,
      dispatchNamespace: namespace,
      outcome: "ok",
      request: { method: "GET", url: "http://t.example/ok", status: 201 },
      cpuTime: null,
    });
    expect(fine?.logs.map((l) => [l.level, l.message])).toEqual([
      ["log", ["marker", 42, { deep: true }]],
      ["error", ["something bad"]],
    ]);
    expect(JSON.stringify(fine)).not.toContain("secret-of-the-client");
    expect(boom).toMatchObject({ outcome: "exception" });
    expect(boom?.exceptions).toEqual([expect.objectContaining({ name: "TypeError", message: "tenant exploded" })]);
  });

  it("are not sent when the dispatch Worker has no tail consumer", async () => {
    const namespace = await createNamespace();
    const script = `untailed-${crypto.randomUUID().slice(0, 8)}`;
    await uploadScript(namespace, script, { modules: { "index.js": LOGGER } });
    await (await dispatch(namespace, script, "http://t.example/ok")).text();
    const tailed = `tailed-${crypto.randomUUID().slice(0, 8)}`;
    await uploadScript(namespace, tailed, { modules: { "index.js": LOGGER } });
    await (
      await dispatch(namespace, tailed, "http://t.example/ok", {}, namespaceBinding(namespace, { tail: true }))
    ).text();
    await eventsOf(tailed, 1);
    expect((await tail.recorded()).filter((e) => e.scriptName === script)).toEqual([]);
  });
});
