import { describe, expect, it } from "vitest";
import { ACCOUNT, call } from "./helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

type Point = { indexes: string[]; blobs: (string | null)[]; doubles: number[] };

const pointsOf = async (dataset: string) =>
  (await (await call(`/__emulator/analytics/${ACCOUNT}/${dataset}?limit=100`)).json<{ result: Point[] }>()).result;

describe("Analytics Engine limits, enforced where points are stored", () => {
  it("a tenant that defeats the client's checks still cannot store an over-limit point", async () => {
    const ns = await createNamespace();
    const dataset = `limits_${crypto.randomUUID().slice(0, 8)}`;
    await uploadScript(ns, "cheat", {
      modules: {
        // The client measures sizes with TextEncoder, a global the tenant owns: made to measure nothing, it lets
        // every size through, so only the emulator's own check stands between these points and the store.
        "index.js": `export default { async fetch(request, env) {
          TextEncoder.prototype.encode = () => new Uint8Array(0);
          env.AE.writeDataPoint({ indexes: ["i".repeat(200 * 1024)], blobs: ["big-index"] });
          env.AE.writeDataPoint({ indexes: ["x"], blobs: ["b".repeat(17 * 1024)] });
          env.AE.writeDataPoint({ indexes: ["x".repeat(97)], blobs: ["index-97"] });
          env.AE.writeDataPoint({ indexes: ["ok"], blobs: ["marker"], doubles: [1] });
          return new Response("written");
        } };`,
      },
      bindings: [{ type: "analytics_engine", name: "AE", dataset }],
    });
    expect(await (await dispatch(ns, "cheat", "http://x/")).text()).toBe("written");
    await expect.poll(async () => (await pointsOf(dataset)).some((p) => p.blobs[0] === "marker")).toBe(true);
    expect((await pointsOf(dataset)).map((p) => p.blobs[0])).toEqual(["marker"]);
  });

  it("points at the limits are stored whole", async () => {
    const ns = await createNamespace();
    const dataset = `limits_${crypto.randomUUID().slice(0, 8)}`;
    await uploadScript(ns, "edge", {
      modules: {
        "index.js": `export default { async fetch(request, env) {
          env.AE.writeDataPoint({ indexes: ["i".repeat(96)], blobs: Array.from({ length: 20 }, (_, n) => n === 0 ? "b".repeat(16 * 1024 - 19) : "c"), doubles: Array.from({ length: 20 }, (_, n) => n) });
          return new Response("written");
        } };`,
      },
      bindings: [{ type: "analytics_engine", name: "AE", dataset }],
    });
    await dispatch(ns, "edge", "http://x/");
    await expect.poll(async () => (await pointsOf(dataset)).length).toBe(1);
    const [point] = await pointsOf(dataset);
    expect(point?.indexes[0]).toHaveLength(96);
    expect(point?.blobs).toHaveLength(20);
    expect(point?.doubles).toHaveLength(20);
  });
});
