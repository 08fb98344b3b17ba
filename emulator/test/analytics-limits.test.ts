import { describe, expect, it } from "vitest";
import { ACCOUNT, call } from "./helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

type Point = { indexes: string[]; blobs: (string | null)[]; doubles: number[] };

const pointsOf = async (dataset: string) =>
  (await (await call(`/__emulator/analytics/${ACCOUNT}/${dataset}?limit=100`)).json<{ result: Point[] }>()).result;

/** Runs `writes` (code using `env.AE`) in one request of a new tenant script bound to a new dataset; its name. */
async function writeOnce(writes: string): Promise<string> {
  const ns = await createNamespace();
  const dataset = `limits_${crypto.randomUUID().slice(0, 8)}`;
  await uploadScript(ns, "writer", {
    modules: {
      "index.js": `export default { async fetch(request, env) {
          ${writes}
          return new Response("written");
        } };`,
    },
    bindings: [{ type: "analytics_engine", name: "AE", dataset }],
  });
  expect(await (await dispatch(ns, "writer", "http://x/")).text()).toBe("written");
  return dataset;
}

describe("Analytics Engine limits, enforced where points are stored", () => {
  it("a tenant that defeats the client's checks still cannot store an over-limit point", async () => {
    // The client measures sizes with TextEncoder, a global the tenant owns: made to measure nothing, it lets
    // every size through, so only the emulator's own check stands between these points and the store.
    const dataset = await writeOnce(`TextEncoder.prototype.encode = () => new Uint8Array(0);
          env.AE.writeDataPoint({ indexes: ["i".repeat(200 * 1024)], blobs: ["big-index"] });
          env.AE.writeDataPoint({ indexes: ["x"], blobs: ["b".repeat(17 * 1024)] });
          env.AE.writeDataPoint({ indexes: ["x".repeat(97)], blobs: ["index-97"] });
          env.AE.writeDataPoint({ indexes: ["ok"], blobs: ["marker"], doubles: [1] });`);
    await expect.poll(async () => (await pointsOf(dataset)).some((p) => p.blobs[0] === "marker")).toBe(true);
    expect((await pointsOf(dataset)).map((p) => p.blobs[0])).toEqual(["marker"]);
  });

  it("points at the limits are stored whole", async () => {
    const dataset = await writeOnce(
      `env.AE.writeDataPoint({ indexes: ["i".repeat(96)], blobs: Array.from({ length: 20 }, (_, n) => n === 0 ? "b".repeat(16 * 1024 - 19) : "c"), doubles: Array.from({ length: 20 }, (_, n) => n) });`,
    );
    await expect.poll(async () => (await pointsOf(dataset)).length).toBe(1);
    const [point] = await pointsOf(dataset);
    expect(point?.indexes[0]).toHaveLength(96);
    expect(point?.blobs).toHaveLength(20);
    expect(point?.doubles).toHaveLength(20);
  });
});
