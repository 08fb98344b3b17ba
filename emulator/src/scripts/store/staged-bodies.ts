import type { ModuleUpload } from "../modules";
import type { ScriptRecord } from "../script-record";
import { deleteBodies, putBodies } from "./bodies";
import type { StoreContext } from "./context";
import { etagInUse } from "./version-rows";

/** An upload's bodies written ahead of its commit: what the commit does with them once it is in the change queue. */
export interface Staging {
  /** Whether the bodies are in SCRIPT_MODULES (written now, or already there for a version of the same etag). */
  readonly written: boolean;
  /** In the change queue, after a refused or failed commit: deletes the bodies unless a version or another staging uses them. */
  discard(): Promise<void>;
  /** Once the commit is over, whatever its outcome. */
  release(): void;
}

/**
 * An upload's module bodies, written to R2 before its commit enters the store's one-at-a-time
 * change queue rather than inside it: the R2 writes were most of each commit's time in the queue,
 * which bounded uploads (docs/benchmarks.md). A body's key holds its version's etag, which is a
 * hash of the version, so a key's bytes are the same whoever writes them, and writing them ahead is
 * safe; deleting them is not, while another upload of the same etag may be about to commit, so
 * every staging of an etag is counted here, in the store's memory, and a discarded one deletes the
 * bodies only when no version has them and no other staging is out (checked in the queue).
 */
export class StagedBodies {
  readonly #pending = new Map<string, number>();

  async stage(ctx: StoreContext, record: ScriptRecord, uploaded: readonly ModuleUpload[]): Promise<Staging> {
    const { namespace, name, etag, version } = record;
    const complete = version.modules.every((m) => uploaded.some((u) => u.name === m.name));
    if (!complete) return { written: false, discard: async () => undefined, release: () => undefined };
    const key = JSON.stringify([namespace, name, etag]);
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    const release = () => {
      const left = (this.#pending.get(key) ?? 1) - 1;
      if (left === 0) this.#pending.delete(key);
      else this.#pending.set(key, left);
    };
    const discard = async () => {
      if (etagInUse(ctx, namespace, name, etag) || (this.#pending.get(key) ?? 0) > 1) return;
      await deleteBodies(ctx.env.SCRIPT_MODULES, [version]);
    };
    try {
      // A version of this etag already has them.
      if (!etagInUse(ctx, namespace, name, etag)) await putBodies(ctx.env.SCRIPT_MODULES, version, uploaded, undefined);
    } catch (error) {
      // Nothing is left behind, unless another upload of the same etag is out: it needs them.
      await discard();
      release();
      throw error;
    }
    return { written: true, discard, release };
  }
}
