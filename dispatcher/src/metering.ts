import { REQUEST_BLOBS, REQUEST_DOUBLES, type RequestBlob, type RequestDouble } from "../../platform/request-metrics";
import type { RouteRecord } from "../../platform/routes";

/** What is known of a request before it is routed. */
export interface RequestFacts {
  requestId: string;
  method: string;
  hostname: string;
  /** Date.now() when the dispatcher got it. */
  startedAt: number;
}

/** "ok", or the dispatcher's error code (a tenant's own 5xx is "ok": its status says the rest). */
export type Outcome = string;

/**
 * One Analytics Engine data point per request, indexed (sampled) by tenant
 * ("" for a request that reached none), its fields in platform/request-metrics.ts's order:
 *
 * - blobs:   tenantId, scriptName, plan, outcome, method, hostname, requestId,
 *            "complete" | "aborted" (whether the response body was sent to its end)
 * - doubles: status, latencyMs (to the response headers), bytesIn (request body
 *            bytes the tenant read), bytesOut (response body bytes sent),
 *            durationMs (to the end of the response body)
 */
export interface RequestPoint {
  route: RouteRecord | null;
  outcome: Outcome;
  status: number;
  latencyMs: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  completed: boolean;
}

export function toDataPoint(facts: RequestFacts, point: RequestPoint): AnalyticsEngineDataPoint {
  const { route } = point;
  const blobs: Record<RequestBlob, string> = {
    tenantId: route?.tenantId ?? "",
    scriptName: route?.scriptName ?? "",
    plan: route?.plan ?? "",
    outcome: point.outcome,
    method: facts.method,
    hostname: facts.hostname,
    requestId: facts.requestId,
    completion: point.completed ? "complete" : "aborted",
  };
  const doubles: Record<RequestDouble, number> = {
    status: point.status,
    latencyMs: point.latencyMs,
    bytesIn: point.bytesIn,
    bytesOut: point.bytesOut,
    durationMs: point.durationMs,
  };
  // In the order the SQL API's columns are read in (platform/request-metrics.ts).
  return {
    indexes: [route?.tenantId ?? ""],
    blobs: REQUEST_BLOBS.map((field) => blobs[field]),
    doubles: REQUEST_DOUBLES.map((field) => doubles[field]),
  };
}

/**
 * `source`, counted as it is read: `onChunk` gets the size of every chunk,
 * `onEnd` whether the stream was read to its end (false if it failed or its
 * reader gave up), once. A pull source rather than a TransformStream: no
 * pipe, so one read of the source per read of the result. `expectedLength`
 * (workerd's) keeps a declared Content-Length rather than turning it into
 * chunked encoding.
 */
function counted(
  source: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void,
  onEnd: (completed: boolean) => void = () => {},
  expectedLength?: number,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = (completed: boolean) => {
    if (ended) return;
    ended = true;
    onEnd(completed);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end(true);
          return;
        }
        onChunk(value.byteLength);
        controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end(false);
      }
    },
    cancel(reason) {
      end(false);
      return reader.cancel(reason);
    },
    ...(expectedLength === undefined ? {} : { expectedLength }),
  });
}

/** The body length a response declares, if it declares one. */
function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Meters one request: counts the request body's bytes as the tenant reads
 * them and the response body's as they are sent, and writes the request's
 * data point once the response body is done (or abandoned), in waitUntil so
 * the client does not wait for it.
 */
export class RequestMeter {
  #route: RouteRecord | null = null;
  #bytesIn = 0;

  constructor(
    private readonly metrics: AnalyticsEngineDataset,
    private readonly ctx: ExecutionContext,
    private readonly facts: RequestFacts,
  ) {}

  /** The tenant the request was routed to. */
  routedTo(route: RouteRecord): void {
    this.#route = route;
  }

  /** The request body, counted as it streams to the tenant. */
  countRequestBody(request: Request): ReadableStream<Uint8Array> | null {
    if (request.body === null) return null;
    const add = (bytes: number) => {
      this.#bytesIn += bytes;
    };
    return counted(request.body, add, undefined, declaredLength(request.headers));
  }

  /**
   * The response body as the client gets it, counted; the data point is
   * written when it ends. A response without a body (or a WebSocket upgrade,
   * whose messages are not metered) is written at once.
   */
  countResponseBody(response: Response, outcome: Outcome): ReadableStream<Uint8Array> | null {
    const latencyMs = Date.now() - this.facts.startedAt;
    const write = (bytesOut: number, completed: boolean) =>
      this.#write({
        route: this.#route,
        outcome,
        status: response.status,
        latencyMs,
        bytesIn: this.#bytesIn,
        bytesOut,
        durationMs: Date.now() - this.facts.startedAt,
        completed,
      });
    if (response.body === null || response.webSocket !== null) {
      write(0, true);
      return null;
    }
    let bytesOut = 0;
    const sent = Promise.withResolvers<boolean>();
    const body = counted(
      response.body,
      (bytes) => {
        bytesOut += bytes;
      },
      sent.resolve,
      declaredLength(response.headers),
    );
    this.ctx.waitUntil(sent.promise.then((completed) => write(bytesOut, completed)));
    return body;
  }

  #write(point: RequestPoint): void {
    try {
      this.metrics.writeDataPoint(toDataPoint(this.facts, point));
    } catch (error) {
      // Metering must never fail a request: say so in the logs and carry on.
      console.error(`metering: data point for request ${this.facts.requestId} refused:`, error);
    }
  }
}
