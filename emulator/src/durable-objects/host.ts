import { DurableObject } from "cloudflare:workers";
import type { Exports, RunScope } from "../bindings/kind";
import { evictWorker } from "../dispatch/loaded-workers";
import type { ScriptForRunner } from "../dispatch/runner-support";
import { OBJECT_NAME_PROP, objectExportName } from "../dispatch/shim";
import { assembleWorkerCode } from "../dispatch/worker-code";
import { hostName, type ObjectTarget, TARGET_HEADER } from "./address";
import { objectIdRefusal } from "./ids";
import { type ObjectsDeployment, versionForObject } from "./versions";

/** What a host needs of the Worker it runs in, the emulator's or a runner's. */
export interface HostEnv {
  LOADER: WorkerLoader;
}

/** A version of the script the host has loaded to run objects with. */
interface Running {
  etag: string;
  worker: WorkerStub;
  /** The shim's export for each namespace's class (shim.ts). */
  exportByNamespace: Map<string, string>;
}

/** An object as the host is asked to reach it; `etag` null for the host's own calls (an alarm). */
type Call = Omit<ObjectTarget, "etag"> & { etag: string | null };

/** Production retries an alarm whose handler throws, up to six times, backing off exponentially from 2 s. */
const ALARM_RETRIES = 6;
const ALARM_FIRST_RETRY_MS = 2_000;

const facetName = (namespaceId: string, objectId: string) => `${namespaceId}:${objectId}`;

/**
 * The workers each script's host has loaded, by host name and etag: kept by
 * the isolate, not by the host instance, so that a host evicted from memory and
 * started again reuses the isolates its previous instance loaded rather than
 * leaving them loaded and loading others. The loader keeps a named isolate until
 * it is ended, so one left behind would be memory held for as long as the
 * process runs.
 */
const hostWorkers = new Map<string, Map<string, string>>();

function loaderNameFor(host: string, etag: string): string {
  const workers = hostWorkers.get(host) ?? new Map<string, string>();
  hostWorkers.set(host, workers);
  // A name of its own per load: workerd will not load a name again once its isolate was ended
  // (evictWorker), and a script can come back to an earlier version (the same etag).
  const name = workers.get(etag) ?? `objects:${host}@${etag}#${crypto.randomUUID()}`;
  workers.set(etag, name);
  return name;
}

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
 * Each object runs the version of the script its deployment gives it
 * (versions.ts): a split deployment runs its objects on both versions, and a
 * new deployment restarts an object whose version it changed, at the object's
 * next call; the store tells the host of each deployment (`redeployed`), and a
 * caller of a version the host does not know of makes it look again.
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
  /** The script's active deployment, as last read; undefined: read it at the next call. */
  #deployment: ObjectsDeployment | undefined;
  #reading: Promise<ObjectsDeployment> | undefined;
  /** Counts the deployments the store told of: a read begun before the latest is not kept. */
  #generation = 0;
  /** The versions loaded by this instance, by etag, and those being loaded. */
  readonly #running = new Map<string, Running>();
  readonly #loading = new Map<string, Promise<Running>>();
  /** Facets started by this instance, with the etag each was started on: the ones to abort when their version changes. */
  readonly #live = new Map<string, string>();
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

  /** The script's active deployment, or null when the script is gone. */
  protected abstract deployment(scope: RunScope): Promise<ObjectsDeployment | null>;

  /** One version of the script and its modules' contents, or null when it is gone. */
  protected abstract script(scope: RunScope, versionId: string): Promise<ScriptForRunner | null>;

  /** The store made a new deployment of the script: each object's version is looked up again at its next call. */
  redeployed(): void {
    this.#generation += 1;
    this.#deployment = undefined;
    this.#reading = undefined;
  }

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
      this.#deployment = undefined;
      if (scope !== null) await this.#unload(scope, () => true);
    }
    this.#schedule();
  }

  async #runAlarm(scope: RunScope, row: { namespace_id: string; object_id: string; at: number; retries: number }) {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM alarms WHERE namespace_id = ? AND object_id = ?", row.namespace_id, row.object_id);
    try {
      const target = { scope, etag: null, namespaceId: row.namespace_id, id: row.object_id, name: null };
      const facet = await this.#facet(target);
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
    if (this.#deployment?.namespaces.includes(namespaceId) !== true) {
      throw new Error("no such Durable Object namespace in this script");
    }
    const refusal = objectIdRefusal(namespaceId, objectId);
    if (refusal !== null) throw new TypeError(refusal);
  }

  #scope(): RunScope | null {
    const [row] = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'scope'").toArray();
    return row === undefined ? null : (JSON.parse(row.value) as RunScope);
  }

  async #facet(target: Call): Promise<FacetStub> {
    const deployment = await this.#deploymentFor(target.scope, target.etag);
    const version = versionForObject(deployment, target.namespaceId, target.id);
    const running = await this.#version(target.scope, version);
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
    const startedOn = this.#live.get(name);
    if (startedOn !== undefined && startedOn !== running.etag) {
      this.ctx.facets.abort(name, new Error("The Durable Object's code was updated."));
    }
    this.#live.set(name, running.etag);
    // The name the object's id was made from, if the call that starts it has one: the object's ctx.id
    // carries it (objects.client.ts), as an instance started through a named stub does in production.
    return this.ctx.facets.get(name, () => ({
      class: running.worker.getDurableObjectClass(exportName, { props: { [OBJECT_NAME_PROP]: target.name } }),
      id: target.id,
    })) as FacetStub;
  }

  /**
   * The script's active deployment: as last read if the caller runs one of its
   * versions, else read again (the caller may come from a deployment made since,
   * or be an old request still in flight; an alarm has no caller).
   */
  #deploymentFor(scope: RunScope, callerEtag: string | null): Promise<ObjectsDeployment> {
    const known = this.#deployment;
    if (known !== undefined && callerEtag !== null && known.versions.some((v) => v.etag === callerEtag)) {
      return Promise.resolve(known);
    }
    if (this.#reading !== undefined) return this.#reading;
    const reading = this.#readDeployment(scope).finally(() => {
      if (this.#reading === reading) this.#reading = undefined;
    });
    this.#reading = reading;
    return reading;
  }

  async #readDeployment(scope: RunScope): Promise<ObjectsDeployment> {
    const generation = this.#generation;
    const deployment = await this.deployment(scope);
    if (deployment === null) {
      await this.purge("all");
      throw new Error("Worker not found");
    }
    await this.#adopt(scope, deployment.tag, new Set(deployment.namespaces));
    // Versions no longer deployed: their objects start again on the deployed code, their isolates end.
    const deployed = new Set(deployment.versions.map((v) => v.etag));
    for (const [name, etag] of this.#live) {
      if (deployed.has(etag)) continue;
      this.ctx.facets.abort(name, new Error("The Durable Object's code was updated."));
      this.#live.delete(name);
    }
    await this.#unload(scope, (etag) => !deployed.has(etag));
    if (generation === this.#generation) this.#deployment = deployment;
    return deployment;
  }

  /** A deployed version, loaded once. */
  #version(scope: RunScope, version: { version_id: string; etag: string }): Promise<Running> {
    const running = this.#running.get(version.etag);
    if (running !== undefined) return Promise.resolve(running);
    let loading = this.#loading.get(version.etag);
    if (loading === undefined) {
      loading = this.#load(scope, version).finally(() => this.#loading.delete(version.etag));
      this.#loading.set(version.etag, loading);
    }
    return loading;
  }

  async #load(scope: RunScope, version: { version_id: string; etag: string }): Promise<Running> {
    const script = await this.script(scope, version.version_id);
    if (script === null) throw new Error("Worker not found");
    const { runnable, modules } = script;
    const exports = this.ctx.exports as unknown as Exports;
    const worker = this.env.LOADER.get(loaderNameFor(hostName(scope), runnable.etag), () => {
      // A Durable Object's subrequests do not pass through the namespace's outbound Worker (as in production).
      const egress = exports.TenantEgress?.({ props: { outboundParams: null, metered: false } }) as Fetcher;
      return assembleWorkerCode(modules, exports, scope, runnable, egress);
    });
    const exportByNamespace = new Map(runnable.objectClasses.map((c, i) => [c.namespaceId, objectExportName(i)]));
    const running = { etag: runnable.etag, worker, exportByNamespace };
    this.#running.set(runnable.etag, running);
    return running;
  }

  /** Ends the isolates of the loaded versions `which` picks. */
  async #unload(scope: RunScope, which: (etag: string) => boolean): Promise<void> {
    const workers = hostWorkers.get(hostName(scope));
    for (const [etag, loaderName] of workers ?? []) {
      if (!which(etag)) continue;
      workers?.delete(etag);
      this.#running.delete(etag);
      await evictWorker(this.env.LOADER, loaderName);
    }
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
