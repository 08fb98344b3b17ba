import { WorkerEntrypoint } from "cloudflare:workers";
import type { TraceEvent } from "../../../platform/tenant-logs";
import { toTraceEvent } from "../../../platform/trace-events";
import type { RunScope } from "../bindings/kind";

/** The platform's tail Worker (tail/), as its `TraceIngest` entrypoint takes a loaded script's events locally. */
export interface TraceIngestService {
  record(events: TraceEvent[]): Promise<void>;
}

export interface TailProps {
  scope: RunScope;
}

/**
 * The tail consumer of a loaded tenant worker (the Worker Loader's `tails`),
 * standing in for Cloudflare delivering a user Worker's trace events to the
 * dispatch Worker's tail consumers: each event gets the script's name and
 * namespace (workerd leaves them empty for a loaded worker) and goes to the
 * tail Worker. It runs after the tenant's response, as a tail does; a tail
 * Worker that is down costs the tenant's events, never its request.
 */
export class TenantTail extends WorkerEntrypoint<{ TAIL: Service & TraceIngestService }, TailProps> {
  override async tail(items: TraceItem[]): Promise<void> {
    const { scope } = this.ctx.props;
    const names = { scriptName: scope.script, dispatchNamespace: scope.namespace };
    const events = items.flatMap((item) => toTraceEvent(item, names) ?? []);
    if (events.length === 0) return;
    try {
      await this.env.TAIL.record(events);
    } catch (error) {
      console.warn(`the tail Worker did not take ${events.length} event(s) of ${scope.script}:`, String(error));
    }
  }
}
