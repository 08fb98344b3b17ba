import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { type LogEvent, LogQuery, type TraceEvent } from "../../platform/tenant-logs";

/**
 * The tests' stand-in for the tail Worker (`wfp-tail`, tail/), which does not run in the control
 * plane's tests: the three routes of its internal API that the control plane calls
 * (src/logs/tail.ts), over events kept in memory by one Durable Object, so that a live socket
 * opened by one request gets the events another request adds. vitest.api.config.ts bundles it as
 * the auxiliary Worker `wfp-tail`, which the control plane's LOGS binding reaches.
 *
 * - `GET /tenants/{script}/logs?limit=&before=&outcome=` → 200 `LogPage`, newest first (400 for a bad query)
 * - `GET /tenants/{script}/logs/live` with `Upgrade: websocket` → 101 (426 without), each event a text frame
 * - `DELETE /tenants/{script}/logs` → 204, whether there were any or not
 *
 * And the stand-in's own, for the tests (through the TAIL binding), not the tail Worker's:
 * - `POST /tenants/{script}/logs` `[event without id, ...]` → 201 the events as filed (ids given here),
 *   each also sent to the script's live sockets
 * - `POST /tenants/{script}/logs/fault` `{status, body}` → 204: the next page read of that script answers this
 *
 * The emulator's binding to the tail Worker's `TraceIngest` entrypoint needs one to exist: this one
 * takes tenants' trace events and drops them (these tests file the events they need themselves).
 */

type Env = { STORE: DurableObjectNamespace<TailStore> };

export default {
  fetch: (request: Request, env: Env) => env.STORE.get(env.STORE.idFromName("tail")).fetch(request),
} satisfies ExportedHandler<Env>;

export class TraceIngest extends WorkerEntrypoint {
  async record(_events: TraceEvent[]): Promise<void> {}
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export class TailStore extends DurableObject {
  private readonly events = new Map<string, LogEvent[]>();
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private readonly faults = new Map<string, { status: number; body: string }>();
  private nextId = 1;

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = /^\/tenants\/([^/]+)\/logs(\/live|\/fault)?$/.exec(url.pathname);
    if (match === null) return json({ error: { code: "not_found", message: "no such route" } }, 404);
    const script = decodeURIComponent(match[1] as string);
    const route = `${request.method} ${match[2] ?? ""}`;
    switch (route) {
      case "GET ":
        return this.page(script, url);
      case "GET /live":
        return this.live(script, request);
      case "DELETE ":
        this.events.delete(script);
        return new Response(null, { status: 204 });
      case "POST ":
        return this.add(script, (await request.json()) as Omit<LogEvent, "id">[]);
      case "POST /fault":
        this.faults.set(script, (await request.json()) as { status: number; body: string });
        return new Response(null, { status: 204 });
      default:
        return json({ error: { code: "not_found", message: `no route ${route}` } }, 404);
    }
  }

  private page(script: string, url: URL): Response {
    const fault = this.faults.get(script);
    if (fault !== undefined) {
      this.faults.delete(script);
      return new Response(fault.body, { status: fault.status });
    }
    const query = LogQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) return json({ error: { code: "invalid_request", message: query.error.message } }, 400);
    const { limit, before, outcome } = query.data;
    const matching = (this.events.get(script) ?? [])
      .filter(
        (event) => (before === undefined || event.id < before) && (outcome === undefined || event.outcome === outcome),
      )
      .sort((a, b) => b.id - a.id);
    const events = matching.slice(0, limit);
    const last = events.at(-1);
    return json({ events, next: matching.length > limit && last !== undefined ? last.id : null });
  }

  private live(script: string, request: Request): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return json({ error: { code: "upgrade_required", message: "Upgrade: websocket" } }, 426);
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    server.accept();
    const open = this.sockets.get(script) ?? new Set();
    this.sockets.set(script, open.add(server));
    server.addEventListener("close", () => open.delete(server));
    return new Response(null, { status: 101, webSocket: client });
  }

  private add(script: string, added: Omit<LogEvent, "id">[]): Response {
    const filed = added.map((event) => ({ ...event, id: this.nextId++ }));
    this.events.set(script, [...(this.events.get(script) ?? []), ...filed]);
    for (const socket of this.sockets.get(script) ?? []) {
      for (const event of filed) socket.send(JSON.stringify(event));
    }
    return json(filed, 201);
  }
}
