import { DurableObject } from "cloudflare:workers";
import type { Exports, RunScope } from "../bindings/kind";
import { evictWorker } from "../dispatch/loaded-workers";
import type { ScriptForRunner } from "../dispatch/runner-support";
import { OBJECT_NAME_PROP, objectExportName } from "../dispatch/shim";
import { assembleWorkerCode } from "../dispatch/worker-code";
import { hostName, type ObjectTarget, TARGET_HEADER } from "./address";
import { objectIdRefusal } from "./ids";

/** What a host needs of the Worker it runs in, the emulator's or a runner's. */
export interface HostEnv {
  LOADER: WorkerLoader;
}

/** The version of the script the host runs its objects with. */
interface Running {
  etag: string;
  worker: WorkerStub;
  /** The shim's export for each namespace's class (shim.ts). */
  exportByNamespace: Map<string, string>;
}

/** Production retries an alarm whose handler throws, up to six times, backing off exponentially from 2 s. */
const ALARM_RETRIES = 6;
const ALARM_FIRST_RETRY_MS = 2_000;

const facetName = (namespaceId: string, objectId: string) => `${namespaceId}:${objectId}`;

/**
 * The worker each script's host has loaded, by host name: kept by the isolate,
 * not by the host instance, so that a host evicted from memory and started
 * again reuses the isolate its previous instance loaded rather than leaving it
 * loaded and loading another. The loader keeps a named isolate until it is
 * ended, so one left behind would be memory held for as long as the process runs.
 */
const hostWorkers = new Map<string, { etag: string; loaderName: string }>();

type FacetStub = Fetcher & Record<string, (...args: unknown[]) => Promise<unknown>>;

/**
 * One script's Durable Objects: each of the script's objects runs here as a
 * facet (workerd's `ctx.facets`), an instance of the tenant's class, loaded
 * through the Worker Loader, with its own SQLite storage inside this object's.
 * One host per script (named by account, dispatch namespace and script,
 * address.ts), so the script's objects' storage lives, and is deleted, in one
 * place; facets keep their own input and output gates, so objects of one
 * script do not wait on each other's storage.
 *
 * The facet is named by the object's namespace id and id: a renamed class
 * keeps its namespace, and so its objects; a deleted class's namespace is
 * gone from the script's classes, and its objects' storage is deleted here.
 *
 * A facet cannot set alarms, so the tenant's alarm calls come here
 * (objects.client.ts): the host keeps each object's alarm in its own table,
 * sets its own alarm for the earliest, and calls the object's handler when
 * one is due, retrying as production does.
 *
 * Runs where tenants' code runs: in the emulator itself, or in the runner
 * that runs the script (src/runner), whichever `script()` reads code from.
 */
export abstract class ObjectHost<E extends HostEnv> extends DurableObject<E> {
  #running: Running | undefined;
  #loading: Promise<Running> | undefined;
  /** Facets started by this instance: the ones to abort when the code changes. */
  readonly #live = new Set<string>();
  /** Objects already recorded in the `objects` table by this instance. */
  readonly #known = new Set<string>();

  constructor(ctx: DurableObjectState, env: E) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS objects (namespace_id TEXT NOT NULL, object_id TEXT NOT NULL, PRIMARY KEY (namespace_id, object_id))",
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS alarms (namespace_id TEXT NOT NULL, object_id TEXT NOT NULL, at INTEGER NOT NULL, retries INTEGER NOT NULL, PRIMARY KEY (namespace_id, object_id))",
    );
  }

  /** The version the script's deployment runs its objects with, and its modules' contents, or null when the script is gone. */
  protected abstract script(scope: RunScope): Promise<ScriptForRunner | null>;

  /** A stub's `fetch()`: the request, without the target the entrypoint put on it, to the object. */
  override async fetch(request: Request): Promise<Response> {
    const target = JSON.parse(request.headers.get(TARGET_HEADER) ?? "null") as ObjectTarget | null;
    if (target === null) return new Response("not a call to a tenant's object", { status: 400 });
    const forwarded = new Request(request);
    forwarded.headers.delete(TARGET_HEADER);
    return (await this.#facet(target)).fetch(forwarded);
  }

  /** A stub's RPC call. The entrypoint refuses the emulator's own methods (`__wfp_…`). */
  async call(target: ObjectTarget, method: string, args: unknown[]): Promise<unknown> {
    const facet = await this.#facet(target);
    return (facet[method] as (...args: unknown[]) => Promise<unknown>)(...args);
  }

  setAlarm(namespaceId: string, objectId: string, at: number): void {
    this.#checkObject(namespaceId, objectId);
    this.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO alarms (namespace_id, object_id, at, retries) VALUES (?, ?, ?, 0)",
      namespaceId,
      objectId,
      at,
    );
    this.#schedule();
  }

  getAlarm(namespaceId: string, objectId: string): number | null {
    this.#checkObject(namespaceId, objectId);
    const [row] = this.ctx.storage.sql
      .exec<{ at: number }>("SELECT at FROM alarms WHERE namespace_id = ? AND object_id = ?", namespaceId, objectId)
      .toArray();
    return row?.at ?? null;
  }

  deleteAlarm(namespaceId: string, objectId: string): void {
    this.#checkObject(namespaceId, objectId);
    this.ctx.storage.sql.exec("DELETE FROM alarms WHERE namespace_id = ? AND object_id = ?", namespaceId, objectId);
    this.#schedule();
  }

  /** Runs the objects' alarms that are due, each with the script's current code. */
  override async alarm(): Promise<void> {
    const scope = this.#scope();
    if (scope === null) return;
    const due = this.ctx.storage.sql
      .exec<{ namespace_id: string; object_id: string; at: number; retries: number }>(
        "SELECT namespace_id, object_id, at, retries FROM alarms WHERE at <= ? ORDER BY at",
        Date.now(),
      )
      .toArray();
    await Promise.all(due.map((row) => this.#runAlarm(scope, row)));
    this.#schedule();
  }

  /**
   * Deletes objects' storage: of the given namespaces (classes deleted by a
   * migration), or all of the script's (the script was deleted).
   */
  async purge(namespaces: string[] | "all"): Promise<void> {
    const sql = this.ctx.storage.sql;
    const scope = this.#scope();
    const rows = sql
      .exec<{ namespace_id: string; object_id: string }>("SELECT namespace_id, object_id FROM objects")
      .toArray();
    for (const row of rows) {
      if (namespaces !== "all" && !namespaces.includes(row.namespace_id)) continue;
      const name = facetName(row.namespace_id, row.object_id);
      this.#deleteFacet(name);
      sql.exec("DELETE FROM objects WHERE namespace_id = ? AND object_id = ?", row.namespace_id, row.object_id);
      sql.exec("DELETE FROM alarms WHERE namespace_id = ? AND object_id = ?", row.namespace_id, row.object_id);
    }
    if (namespaces === "all") {
      sql.exec("DELETE FROM meta");
      this.#known.clear();
      this.#running = undefined;
      const host = scope === null ? undefined : hostName(scope);
      const loaded = host === undefined ? undefined : hostWorkers.get(host);
      if (host !== undefined && loaded !== undefined) {
        hostWorkers.delete(host);
        await evictWorker(this.env.LOADER, loaded.loaderName);
      }
    }
    this.#schedule();
  }

  async #runAlarm(scope: RunScope, row: { namespace_id: string; object_id: string; at: number; retries: number }) {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM alarms WHERE namespace_id = ? AND object_id = ?", row.namespace_id, row.object_id);
    try {
      const target = { scope, etag: "", namespaceId: row.namespace_id, id: row.object_id, name: null };
      const facet = await this.#facet(target, "latest");
      await facet.__wfp_alarm?.({ retryCount: row.retries, isRetry: row.retries > 0 });
    } catch (error) {
      const rescheduled = this.getAlarm(row.namespace_id, row.object_id) !== null;
      if (rescheduled || row.retries >= ALARM_RETRIES) return;
      console.warn(`a Durable Object alarm failed, retry ${row.retries + 1} of ${ALARM_RETRIES}:`, String(error));
      sql.exec(
        "INSERT INTO alarms (namespace_id, object_id, at, retries) VALUES (?, ?, ?, ?)",
        row.namespace_id,
        row.object_id,
        Date.now() + ALARM_FIRST_RETRY_MS * 2 ** row.retries,
        row.retries + 1,
      );
    }
  }

  /** The host's own alarm at the earliest of its objects'. */
  #schedule(): void {
    const [row] = this.ctx.storage.sql.exec<{ at: number | null }>("SELECT MIN(at) AS at FROM alarms").toArray();
    const at = row?.at ?? null;
    if (at === null) void this.ctx.storage.deleteAlarm();
    else void this.ctx.storage.setAlarm(at);
  }

  /** Refuses an object that is not one of the script's: the alarm channel's caller names it. */
  #checkObject(namespaceId: string, objectId: string): void {
    const running = this.#running;
    if (running === undefined || !running.exportByNamespace.has(namespaceId)) {
      throw new Error("no such Durable Object namespace in this script");
    }
    const refusal = objectIdRefusal(namespaceId, objectId);
    if (refusal !== null) throw new TypeError(refusal);
  }

  #scope(): RunScope | null {
    const [row] = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'scope'").toArray();
    return row === undefined ? null : (JSON.parse(row.value) as RunScope);
  }

  async #facet(target: ObjectTarget, version: "caller" | "latest" = "caller"): Promise<FacetStub> {
    const running = await this.#version(target.scope, version === "latest" ? null : target.etag);
    const exportName = running.exportByNamespace.get(target.namespaceId);
    if (exportName === undefined) throw new Error("This Durable Object's class was deleted from its script.");
    const name = facetName(target.namespaceId, target.id);
    if (!this.#known.has(name)) {
      this.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO objects (namespace_id, object_id) VALUES (?, ?)",
        target.namespaceId,
        target.id,
      );
      this.#known.add(name);
    }
    this.#live.add(name);
    // The name the object's id was made from, if the call that starts it has one: the object's ctx.id
    // carries it (objects.client.ts), as an instance started through a named stub does in production.
    return this.ctx.facets.get(name, () => ({
      class: running.worker.getDurableObjectClass(exportName, { props: { [OBJECT_NAME_PROP]: target.name } }),
      id: target.id,
    })) as FacetStub;
  }

  /**
   * The version to run with: the running one if the caller runs it too, else
   * the one the script's deployment gives its objects, read again (a caller of
   * another version may come from a new deployment, a rollback among them, or
   * from the other side of a split, or be an old request still in flight); null
   * asks for the deployed one whatever runs (an alarm has no caller).
   */
  #version(scope: RunScope, etag: string | null): Promise<Running> {
    const running = this.#running;
    if (running !== undefined && etag !== null && etag === running.etag) return Promise.resolve(running);
    this.#loading ??= this.#load(scope).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(scope: RunScope): Promise<Running> {
    const script = await this.script(scope);
    if (script === null) {
      await this.purge("all");
      throw new Error("Worker not found");
    }
    const { runnable, modules } = script;
    await this.#adopt(scope, runnable.tag, new Set(runnable.objectClasses.map((c) => c.namespaceId)));
    const previous = this.#running;
    if (previous?.etag === runnable.etag) return previous;
    if (previous !== undefined) {
      for (const name of this.#live) this.ctx.facets.abort(name, new Error("The Durable Object's code was updated."));
      this.#live.clear();
    }
    const host = hostName(scope);
    const loaded = hostWorkers.get(host);
    let loaderName: string;
    if (loaded?.etag === runnable.etag) loaderName = loaded.loaderName;
    else {
      if (loaded !== undefined) await evictWorker(this.env.LOADER, loaded.loaderName);
      // A name of its own per load: workerd will not load a name again once its isolate was ended
      // (evictWorker), and a script can come back to an earlier version (the same etag).
      loaderName = `objects:${host}@${runnable.etag}#${crypto.randomUUID()}`;
      hostWorkers.set(host, { etag: runnable.etag, loaderName });
    }
    const exports = this.ctx.exports as unknown as Exports;
    const worker = this.env.LOADER.get(loaderName, () => {
      // A Durable Object's subrequests do not pass through the namespace's outbound Worker (as in production).
      const egress = exports.TenantEgress?.({ props: { outboundParams: null, metered: false } }) as Fetcher;
      return assembleWorkerCode(modules, exports, scope, runnable, egress);
    });
    const exportByNamespace = new Map(runnable.objectClasses.map((c, i) => [c.namespaceId, objectExportName(i)]));
    this.#running = { etag: runnable.etag, worker, exportByNamespace };
    return this.#running;
  }

  /**
   * Makes the host's storage the current script's: a script made again under
   * the same name (a new tag) starts with no objects, and objects of
   * namespaces the script no longer has (classes deleted) are deleted, should
   * the emulator's purge at the change not have reached here.
   */
  async #adopt(scope: RunScope, tag: string, namespaces: ReadonlySet<string>): Promise<void> {
    const sql = this.ctx.storage.sql;
    const [stored] = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'tag'").toArray();
    if (stored !== undefined && stored.value !== tag) await this.purge("all");
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('tag', ?), ('scope', ?)", tag, JSON.stringify(scope));
    const gone = sql
      .exec<{ namespace_id: string }>("SELECT DISTINCT namespace_id FROM objects")
      .toArray()
      .map((r) => r.namespace_id)
      .filter((id) => !namespaces.has(id));
    if (gone.length > 0) await this.purge(gone);
  }

  #deleteFacet(name: string): void {
    if (this.#live.delete(name)) this.ctx.facets.abort(name, new Error("This Durable Object was deleted."));
    this.#known.delete(name);
    this.ctx.facets.delete(name);
  }
}
