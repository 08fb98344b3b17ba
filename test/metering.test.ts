import { beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { type SqlAnswer, SqlAnswer as SqlAnswerSchema } from "../cloudflare-api/analytics-engine-sql.ts";
import { requestColumn } from "../platform/request-metrics.ts";
import { DISPATCHER, emulatorApiToken } from "../scripts/lib/platform.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";

// The dispatcher's metering through `npm run dev`'s processes: its METRICS binding reaches the
// emulator (another `wrangler dev`) through the dev registry, each point is stored after its request
// has ended, and the emulator's Analytics Engine SQL API answers queries over them.

const dev = devPlatformForFile("metering");
let controlPlane: ControlPlaneApi;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
});

/** Where the dispatcher's METRICS writes: its local config's binding props. */
function meteringTarget(): { accountId: string; dataset: string } {
  const binding = unstable_readConfig({ config: DISPATCHER.configPath }).services?.find(
    (s: { binding: string }) => s.binding === "METRICS",
  );
  if (binding === undefined) throw new Error("the dispatcher's local config has no METRICS service binding");
  return binding.props as { accountId: string; dataset: string };
}

async function sql(query: string): Promise<SqlAnswer> {
  const { accountId } = meteringTarget();
  const response = await fetch(dev.url("emulator", `/client/v4/accounts/${accountId}/analytics_engine/sql`), {
    method: "POST",
    headers: { authorization: `Bearer ${emulatorApiToken()}` },
    body: query,
  });
  if (!response.ok) throw new Error(`SQL API: HTTP ${response.status} ${await response.text()}`);
  return SqlAnswerSchema.parse(await response.json());
}

describe("the dispatcher's metering, queried with the SQL API", () => {
  it("counts a tenant's requests and errors from the points the dispatcher wrote", async () => {
    const id = unique("metered");
    await controlPlane.onboard({
      id,
      plan: "free",
      resources: { kv: false, r2: false, d1: false },
      script: {
        mainModule: "index.js",
        modules: {
          "index.js": `export default { fetch(request) {
            return new URL(request.url).pathname === "/boom" ? new Response("boom", { status: 500 }) : new Response("fine");
          } };`,
        },
      },
    });
    const visit = async (pathname: string) => {
      const response = await fetch(`http://127.0.0.1:${dev.ports.dispatcher}/${id}${pathname}`);
      await response.text();
      return response.status;
    };
    await eventually(async () => ((await visit("/")) === 200 ? true : null));
    expect(await visit("/boom")).toBe(500);
    expect(await visit("/")).toBe(200);

    const { dataset } = meteringTarget();
    const query = `SELECT index1 AS tenant, sum(_sample_interval) AS requests,
        sum(if(${requestColumn("outcome")} != 'ok' OR ${requestColumn("status")} >= 500, _sample_interval, 0)) AS errors,
        max(${requestColumn("status")}) AS worst
      FROM ${dataset} WHERE tenant = '${id}' AND timestamp > NOW() - INTERVAL '1' HOUR GROUP BY tenant`;
    const answer = await eventually(async () => {
      const seen = await sql(query);
      return seen.data[0]?.requests === "3" ? seen : null;
    });
    expect(answer.data).toEqual([{ tenant: id, requests: "3", errors: "1", worst: 500 }]);
  });
});
