import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import { EVICT_ENTRYPOINT } from "./shim";

/**
 * Which tenant workers stay loaded. workerd's Worker Loader keeps every named
 * isolate until that isolate aborts (about 2 MiB each, docs/benchmarks.md),
 * so with no eviction the emulator's memory grows with every script ever
 * served and every re-upload. Production evicts idle isolates; this does the
 * same: past `capacity` loaded workers, the least recently used ones are
 * evicted, and a superseded version of a script (one its active deployment no
 * longer has: a re-upload, a rollback) is evicted as soon as it is idle. A worker is only evicted once it has served nothing for
 * `minIdleMs` and has no request in flight, because eviction ends its isolate.
 */
interface Entry {
  /** The script, with the same outbound parameters: versions of it share this key. */
  scriptKey: string;
  /** The name before its generation suffix (see `nameFor`). */
  base: string;
  lastUsed: number;
  inFlight: number;
}

export class LoadedWorkers {
  /** By loader name, least recently used first. */
  private readonly entries = new Map<string, Entry>();
  /** The base names of each script's current versions: every version of its active deployment. */
  private readonly current = new Map<string, ReadonlySet<string>>();
  /**
   * How many times each base name was evicted. workerd refuses to load a
   * name again after its isolate was aborted ("inserted row already exists"),
   * so a worker loaded again after an eviction gets a new name.
   */
  private readonly generations = new Map<string, number>();
  /**
   * False only when no loaded worker can be superseded: then, within capacity, there is nothing to
   * evict and `takeEvictable` need not look at every worker on every request.
   */
  private supersededMayBeLoaded = false;
  /**
   * When the last `takeEvictable` left a worker it would have evicted but for `minIdleMs`: the
   * earliest such worker's time to go (`nextEvictionAt`). Null when it left none.
   */
  private dueAt: number | null = null;

  constructor(
    private readonly capacity: number,
    private readonly minIdleMs: number,
  ) {}

  /** The loader name to use for a worker: its base name and how often that was evicted. */
  nameFor(base: string): string {
    return `${base}~${this.generations.get(base) ?? 0}`;
  }

  /**
   * Marks a request to the worker `nameFor(base)` named as started; the returned function marks it
   * done. `current` are the bases of the script's versions now deployed (a gradual deployment has two,
   * which stay loaded side by side); any other version of the script is superseded.
   */
  begin(
    scriptKey: string,
    base: string,
    current: readonly string[] = [base],
    now = Date.now(),
  ): (doneAt?: number) => void {
    const name = this.nameFor(base);
    const entry = this.entries.get(name) ?? { scriptKey, base, lastUsed: now, inFlight: 0 };
    entry.lastUsed = now;
    entry.inFlight += 1;
    this.entries.delete(name);
    this.entries.set(name, entry);
    const known = this.current.get(scriptKey);
    if (known === undefined || known.size !== current.length || current.some((c) => !known.has(c))) {
      this.current.set(scriptKey, new Set(current));
      this.supersededMayBeLoaded = true;
    }
    if (!current.includes(base)) this.supersededMayBeLoaded = true;
    return (doneAt = Date.now()) => {
      entry.inFlight -= 1;
      entry.lastUsed = doneAt;
    };
  }

  /** The loader names to evict now; they are forgotten here. */
  takeEvictable(now = Date.now()): string[] {
    const evict: string[] = [];
    this.dueAt = null;
    let loaded = this.entries.size;
    if (loaded <= this.capacity && !this.supersededMayBeLoaded) return evict;
    let supersededLeft = false;
    // When the idle workers kept for `minIdleMs` fall due: superseded ones, and (if the bound is still
    // passed at the end) the others. A worker in flight is looked at again when its request ends.
    let supersededDue = Infinity;
    let overDue = Infinity;
    for (const [name, entry] of this.entries) {
      const superseded = this.current.get(entry.scriptKey)?.has(entry.base) !== true;
      if (!superseded && loaded <= this.capacity) continue;
      if (entry.inFlight > 0 || now - entry.lastUsed < this.minIdleMs) {
        supersededLeft ||= superseded;
        if (entry.inFlight === 0) {
          const due = entry.lastUsed + this.minIdleMs;
          if (superseded) supersededDue = Math.min(supersededDue, due);
          else overDue = Math.min(overDue, due);
        }
        continue;
      }
      this.entries.delete(name);
      // The script's other versions, still loaded, are superseded now: a later pass evicts them.
      if (!superseded) {
        this.current.delete(entry.scriptKey);
        supersededLeft = true;
      }
      this.generations.set(entry.base, (this.generations.get(entry.base) ?? 0) + 1);
      evict.push(name);
      loaded -= 1;
    }
    this.supersededMayBeLoaded = supersededLeft;
    const due = Math.min(supersededDue, loaded > this.capacity ? overDue : Infinity);
    this.dueAt = due === Infinity ? null : due;
    return evict;
  }

  /**
   * When a worker that the last `takeEvictable` kept only for `minIdleMs` may go: then a sweep
   * (runInLoaded) evicts it even if no request comes. Null when there is none.
   */
  nextEvictionAt(): number | null {
    return this.dueAt;
  }

  get size(): number {
    return this.entries.size;
  }
}

let bound: LoadedWorkers | undefined;
/** The one bound on loaded workers of this isolate, sized by its MAX_LOADED_WORKERS and LOADED_WORKER_MIN_IDLE_MS. */
export function loadedWorkersOf(config: {
  MAX_LOADED_WORKERS: number;
  LOADED_WORKER_MIN_IDLE_MS: number;
}): LoadedWorkers {
  bound ??= new LoadedWorkers(config.MAX_LOADED_WORKERS, config.LOADED_WORKER_MIN_IDLE_MS);
  return bound;
}

/**
 * The code the loader gets if a worker to evict is no longer loaded (it
 * crashed, say): just enough to answer the eviction call.
 */
const evictionPlaceholder = (): WorkerLoaderWorkerCode => ({
  compatibilityDate: COMPATIBILITY_DATE,
  mainModule: "evict.js",
  modules: {
    "evict.js": `import { WorkerEntrypoint, abortIsolate } from "cloudflare:workers";
export class ${EVICT_ENTRYPOINT} extends WorkerEntrypoint { evict() { abortIsolate("evicted"); } }
export default {};`,
  },
  globalOutbound: null,
});

/** Ends a loaded worker's isolate, so the loader forgets it and its memory is freed. */
export async function evictWorker(loader: WorkerLoader, name: string): Promise<void> {
  const entrypoint = loader.get(name, evictionPlaceholder).getEntrypoint(EVICT_ENTRYPOINT) as unknown as {
    evict(): Promise<void>;
  };
  // abortIsolate() never answers: the call fails with an internal error once the isolate is gone.
  await entrypoint.evict().catch(() => undefined);
}
