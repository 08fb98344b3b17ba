import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../src/tenant-request";
import { harness, scripts, tenant, unique } from "./support";

/** The point's fields by name (see RequestPoint in src/metering.ts). */
function fields(point: AnalyticsEngineDataPoint | undefined) {
  const [tenantId, scriptName, plan, outcome, method, hostname, requestId, completion] = point?.blobs ?? [];
  const [status, latencyMs, bytesIn, bytesOut, durationMs] = point?.doubles ?? [];
  return {
    index: point?.indexes?.[0],
    tenantId,
    scriptName,
    plan,
    outcome,
    method,
    hostname,
    requestId,
    completion,
    status,
    latencyMs,
    bytesIn,
    bytesOut,
    durationMs,
  };
}

describe("metering", () => {
  it("writes one data point per request, indexed by tenant, with status, latency and bytes in and out", async () => {
    const { tenantId, host } = await tenant(scripts.echo, { plan: "free" });
    const h = harness();
    const res = await h.fetch(`http://${host}/m`, { method: "POST", body: "x".repeat(1000) });
    const body = await res.text();
    await h.settled();
    expect(h.metrics.points).toHaveLength(1);
    const point = fields(h.metrics.points[0]);
    expect(point).toMatchObject({
      index: tenantId,
      tenantId,
      scriptName: tenantId,
      plan: "free",
      outcome: "ok",
      method: "POST",
      hostname: host,
      requestId: res.headers.get(REQUEST_ID_HEADER),
      completion: "complete",
      status: 200,
      bytesIn: 1000,
      bytesOut: new TextEncoder().encode(body).byteLength,
    });
    expect(point.latencyMs).toBeGreaterThanOrEqual(0);
    expect(point.durationMs).toBeGreaterThanOrEqual(point.latencyMs as number);
  });

  it("counts the response body as it streams, and writes the point only when it is done", async () => {
    const { host } = await tenant(`export default { fetch() {
      const { readable, writable } = new TransformStream();
      const writer = writable.getWriter();
      (async () => {
        for (let i = 0; i < 5; i++) {
          await writer.write(new Uint8Array(1024));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await writer.close();
      })();
      return new Response(readable);
    } };`);
    const h = harness();
    const res = await h.fetch(`http://${host}/`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(h.metrics.points).toHaveLength(0);
    while (!(await reader.read()).done) {
      // drain
    }
    await h.settled();
    expect(fields(h.metrics.points[0])).toMatchObject({ status: 200, bytesOut: 5 * 1024, completion: "complete" });
  });

  it("records a response the client abandons as aborted, with the bytes sent so far", async () => {
    const { host } = await tenant(`export default { fetch() {
      let sent = 0;
      return new Response(new ReadableStream({
        async pull(controller) {
          if (sent++ === 100) return controller.close();
          await new Promise((resolve) => setTimeout(resolve, 5));
          controller.enqueue(new Uint8Array(100));
        },
      }));
    } };`);
    const h = harness();
    const res = await h.fetch(`http://${host}/`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await h.settled();
    const point = fields(h.metrics.points[0]);
    expect(point.completion).toBe("aborted");
    expect(point.bytesOut).toBeGreaterThan(0);
    expect(point.bytesOut).toBeLessThan(100 * 100);
  });

  it("meters the dispatcher's own answers: the error code is the outcome", async () => {
    const h = harness();
    const unknown = `${unique("ghost")}.localhost`;
    const { tenantId, host } = await tenant(scripts.echo, { status: "suspended" });
    await (await h.fetch(`http://${unknown}/`)).text();
    await (await h.fetch(`http://${host}/`)).text();
    await (await h.fetch("http://localhost/__platform/health")).text();
    await h.settled();
    expect(h.metrics.points.map(fields)).toMatchObject([
      { index: "", tenantId: "", outcome: "tenant_not_found", status: 404, hostname: unknown },
      { index: tenantId, tenantId, outcome: "tenant_suspended", status: 403 },
      { index: "", outcome: "ok", status: 200, hostname: "localhost" },
    ]);
  });

  it("never fails a request because the data point is refused", async () => {
    const { host } = await tenant(scripts.hello("unmetered"));
    const h = harness({
      METRICS: {
        writeDataPoint() {
          throw new Error("dataset unavailable");
        },
      },
    });
    const res = await h.fetch(`http://${host}/`);
    expect(await res.text()).toBe("hello unmetered");
    await h.settled();
  });
});
