import { WorkerEntrypoint } from "cloudflare:workers";
import type { TraceEvent } from "../../platform/tenant-logs";
import { toTraceEvent } from "../../platform/trace-events";
import { api } from "./api";
import type { Env } from "./env";
import { fileEvents, validTraceEvents } from "./filing";

export { TenantLogs } from "./tenant-logs";

/**
 * The platform's tail Worker. Production: the dispatcher's tail consumer,
 * which gets the trace events of the dispatcher and of every user Worker it
 * dispatched to (`tail()`), after their responses are sent. Locally: the
 * emulator hands it the events of tenants' scripts through `TraceIngest`.
 * Either way each tenant's events are filed in its own TenantLogs object,
 * which the HTTP API (api.ts) reads.
 */
export default {
  fetch: (request, env, ctx) => api.fetch(request, env, ctx),

  async tail(events, env, ctx) {
    const traces: TraceEvent[] = [];
    for (const item of events) {
      try {
        const trace = toTraceEvent(item);
        if (trace !== null) traces.push(trace);
      } catch (error) {
        console.error("tail: could not read a trace item:", error);
      }
    }
    const filing = fileEvents(env, traces).catch((error) => console.error("tail: could not file events:", error));
    ctx.waitUntil(filing);
    await filing;
  },
} satisfies ExportedHandler<Env>;

/**
 * Locally, the emulator's door (through the dev registry): trace events it
 * already converted to TraceEvents. What does not parse is dropped. Resolves
 * once the events are filed; a tenant's failure is logged, never thrown.
 */
export class TraceIngest extends WorkerEntrypoint<Env> {
  async record(events: TraceEvent[]): Promise<void> {
    await fileEvents(this.env, validTraceEvents(events)).catch((error) =>
      console.error("tail: could not file events:", error),
    );
  }
}
