import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../src/index";
import { authorized, json } from "./helpers";

/** An Analytics Engine dataset that keeps what is written to it. */
function recordingDataset(): AnalyticsEngineDataset & { points: AnalyticsEngineDataPoint[] } {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, writeDataPoint: (point) => void points.push(point ?? {}) };
}

async function pointsFor(path: string, init: RequestInit = {}): Promise<AnalyticsEngineDataPoint[]> {
  const ANALYTICS = recordingDataset();
  await app.request(path, init, { ...env, ANALYTICS });
  return ANALYTICS.points;
}

describe("ANALYTICS", () => {
  it("gets one data point per request: path, method, tenant, status and duration", async () => {
    const points = await pointsFor("/", { headers: { "x-platform-tenant": "acme" } });
    expect(points).toEqual([{ blobs: ["/", "GET", "acme"], doubles: [200, expect.any(Number)] }]);
  });

  it("records failed requests with their status too", async () => {
    expect((await pointsFor("/nowhere"))[0]?.doubles?.[0]).toBe(404);
    expect((await pointsFor("/notes", authorized(json("POST", {}))))[0]).toMatchObject({
      blobs: ["/notes", "POST", ""],
      doubles: [400, expect.any(Number)],
    });
    expect((await pointsFor("/admin/summary"))[0]?.doubles?.[0]).toBe(401);
  });

  it("is the binding wrangler.toml declares, which accepts the Worker's points", async () => {
    expect(() => env.ANALYTICS.writeDataPoint({ blobs: ["/", "GET", ""], doubles: [200, 1] })).not.toThrow();
  });
});
