import type { RouteRecord } from "../../platform/routes";

type Entry = { route: RouteRecord | null; expiresAt: number };

/**
 * The routing table as this isolate last read it: each hostname's route for
 * `ttl.routeMs`, or that it has none for `ttl.missMs` (negative caching: an
 * unknown host costs one read per that TTL, not one per request; kept
 * shorter, so a tenant onboarded a moment ago is not refused for the whole
 * route TTL by an answer read just before). A `pending` route (a custom hostname not validated
 * yet) is kept for the miss TTL too: it is about to change, and a domain that just went live should
 * not be answered "being set up" for a whole route TTL. Bounded: past `maxEntries` the least
 * recently used hostname goes. Only answers are kept, never a read in flight:
 * a promise of another request's KV read would tie this request to that one's
 * lifetime.
 */
export class RouteCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly read: (hostname: string) => Promise<RouteRecord | null>,
    private readonly ttl: { readonly routeMs: number; readonly missMs: number },
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The route of `hostname` (normalized), or null; reads the table only when the cached answer is missing or stale. */
  async lookup(hostname: string): Promise<RouteRecord | null> {
    const entry = this.#entries.get(hostname);
    if (entry !== undefined && entry.expiresAt > this.now()) {
      // Move it to the back: the Map's order is the eviction order.
      this.#entries.delete(hostname);
      this.#entries.set(hostname, entry);
      return entry.route;
    }
    const route = await this.read(hostname);
    this.#remember(hostname, route);
    return route;
  }

  get size(): number {
    return this.#entries.size;
  }

  #remember(hostname: string, route: RouteRecord | null): void {
    const ttlMs = route === null || route.status === "pending" ? this.ttl.missMs : this.ttl.routeMs;
    this.#entries.delete(hostname);
    if (ttlMs === 0) return;
    this.#entries.set(hostname, { route, expiresAt: this.now() + ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
