import { Hono } from "hono";
import { useRequestContext } from "hono/jsx-renderer";
import { STATUS_CLASSES, TenantTraffic as Traffic } from "../../../../platform/tenant-traffic";
import { CHART_COLOURS, DASHES, LineChart, type Series, StackedBarChart, type TimeBuckets } from "../charts";
import { consolePath } from "../layout";
import type { ConsoleEnv } from "../types";

/**
 * A tenant's traffic charts, from `GET /v1/tenants/{id}/traffic`: requests (and errors), status
 * classes and latency over the last hour or day, which the page's `?traffic=` chooses. The tenant's
 * page renders it under its "Traffic" heading, and it is a page of its own too (a link to the
 * charts alone); it re-reads itself every minute (script.ts).
 */

/** The windows an operator can choose, by the query parameter's value; the first is the default. */
export const TRAFFIC_WINDOWS = {
  hour: { label: "Last hour", since: "1h", per: "minute" },
  day: { label: "Last day", since: "24h", per: "15 minutes" },
} as const;
type WindowKey = keyof typeof TRAFFIC_WINDOWS;

/** The page's query parameter that chooses the window. */
export const TRAFFIC_PARAM = "traffic";

const STATUS_COLOURS = {
  "1xx": CHART_COLOURS.grey,
  "2xx": CHART_COLOURS.green,
  "3xx": CHART_COLOURS.blue,
  "4xx": CHART_COLOURS.amber,
  "5xx": CHART_COLOURS.red,
} as const;

function windowOf(value: string | undefined): WindowKey {
  return value !== undefined && Object.hasOwn(TRAFFIC_WINDOWS, value) ? (value as WindowKey) : "hour";
}

/** This page's URL with another window chosen (and no notice, which was about the last form). */
function withWindow(url: string, key: WindowKey): string {
  const target = new URL(url);
  target.searchParams.set(TRAFFIC_PARAM, key);
  target.searchParams.delete("notice");
  return `${target.pathname}${target.search}#traffic`;
}

/** The charts' shared time axis: each bucket's start, and their length. */
function bucketsOf(traffic: Traffic): TimeBuckets {
  return { starts: traffic.buckets.map((b) => Date.parse(b.start)), stepMs: traffic.step * 1000 };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The busiest bucket's start as `14:05 UTC`, and its count. */
function busiest(traffic: Traffic): string {
  let best = traffic.buckets[0];
  for (const bucket of traffic.buckets) if (best === undefined || bucket.requests > best.requests) best = bucket;
  return best === undefined ? "" : `the most, ${best.requests}, from ${best.start.slice(11, 16)} UTC`;
}

function Charts({ traffic, choice }: { traffic: Traffic; choice: WindowKey }) {
  const { buckets } = traffic;
  const time = bucketsOf(traffic);
  const per = TRAFFIC_WINDOWS[choice].per;
  const requests = sum(buckets.map((b) => b.requests));
  const errors = sum(buckets.map((b) => b.errors));
  const window = TRAFFIC_WINDOWS[choice].label.toLowerCase();
  const requestSeries: Series[] = [
    { name: "requests", values: buckets.map((b) => b.requests), colour: CHART_COLOURS.blue },
    { name: "errors", values: buckets.map((b) => b.errors), colour: CHART_COLOURS.red, dash: DASHES.dashed },
  ];
  const statusSeries: Series[] = STATUS_CLASSES.map((statusClass) => ({
    name: statusClass,
    values: buckets.map((b) => b.statuses[statusClass]),
    colour: STATUS_COLOURS[statusClass],
  }));
  const p95s = buckets.flatMap((b) => (b.latencyMs.p95 === null ? [] : [b.latencyMs.p95]));
  const latencySeries: Series[] = [
    { name: "p50", values: buckets.map((b) => b.latencyMs.p50), colour: CHART_COLOURS.blue },
    { name: "p95", values: buckets.map((b) => b.latencyMs.p95), colour: CHART_COLOURS.purple, dash: DASHES.dashed },
  ];
  const statusTotals = STATUS_CLASSES.map((c) => `${sum(buckets.map((b) => b.statuses[c]))} ${c}`).join(", ");
  return (
    <>
      {requests === 0 && <p class="muted">No requests reached this tenant in the {window}.</p>}
      <div class="charts">
        <div>
          <h3>Requests</h3>
          <LineChart
            id="traffic-requests"
            title={`Requests per ${per}, ${window}`}
            description={`Requests through the dispatcher and errors among them (dispatcher errors and statuses of 500 or more), per ${per}: ${requests} requests and ${errors} errors in all${requests > 0 ? `; ${busiest(traffic)}` : ""}.`}
            buckets={time}
            series={requestSeries}
            integer
            area
          />
        </div>
        <div>
          <h3>Status classes</h3>
          <StackedBarChart
            id="traffic-statuses"
            title={`Responses by status class per ${per}, ${window}`}
            description={`Responses per ${per} by the status the client got, stacked from 1xx at the bottom to 5xx at the top: ${statusTotals}.`}
            buckets={time}
            series={statusSeries}
            integer
          />
        </div>
        <div>
          <h3>Latency</h3>
          <LineChart
            id="traffic-latency"
            title={`Latency per ${per}, ${window}`}
            description={`The median (p50) and 95th percentile (p95) of the time to the response's headers at the dispatcher, per ${per}, where there were requests${p95s.length > 0 ? `; the highest p95 was ${Math.round(Math.max(...p95s))} ms` : ""}.`}
            buckets={time}
            series={latencySeries}
            unit="ms"
          />
        </div>
      </div>
      <p class="hint">
        From the dispatcher's metering (Analytics Engine), in UTC; counts are estimates once Analytics Engine samples.
        This section is read again every minute.
      </p>
    </>
  );
}

/** The tenant's traffic, or why it cannot be shown: never a failed page. */
export async function TenantTraffic({ tenantId }: { tenantId: string }) {
  const c = useRequestContext<ConsoleEnv>();
  const chosen = windowOf(c.req.query(TRAFFIC_PARAM));
  const path = `/v1/tenants/${encodeURIComponent(tenantId)}/traffic?since=${TRAFFIC_WINDOWS[chosen].since}`;
  const answer = await c.get("api").get(path, Traffic);
  return (
    <div id="traffic" data-refresh-ms="60000">
      <nav aria-label="Traffic window" class="pager">
        {(Object.keys(TRAFFIC_WINDOWS) as WindowKey[]).map((choice) =>
          choice === chosen ? (
            <strong aria-current="true">{TRAFFIC_WINDOWS[choice].label}</strong>
          ) : (
            <a href={withWindow(c.req.url, choice)}>{TRAFFIC_WINDOWS[choice].label}</a>
          ),
        )}
      </nav>
      {answer.ok ? (
        <Charts traffic={answer.value} choice={chosen} />
      ) : answer.error.status === 404 ? (
        <p class="muted">No traffic to show: {answer.error.message}.</p>
      ) : (
        <p class="notice error" role="status">
          Traffic is unavailable right now: {answer.error.message}
        </p>
      )}
    </div>
  );
}

/** The charts alone, as a page: `/console/tenants/{id}/traffic`. */
export const tenantTrafficPage = new Hono<ConsoleEnv>().get("/tenants/:id/traffic", (c) => {
  const id = c.req.param("id");
  return c.render(
    <>
      <p>
        <a href={consolePath.tenant(id)}>{`Tenant ${id}`}</a>
      </p>
      <section aria-labelledby="traffic-title">
        <h2 id="traffic-title">Requests, status classes and latency</h2>
        <TenantTraffic tenantId={id} />
      </section>
    </>,
    { title: `Traffic of ${id}` },
  );
});
