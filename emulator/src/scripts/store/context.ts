import type { RunScope } from "../../bindings/kind";
import type { Env } from "../../env";

/** What every part of WorkersStore works on; the Durable Object makes one and hands it to each. */
export interface StoreContext {
  readonly sql: SqlStorage;
  readonly env: Env;
  /** Runs `work` as one SQLite transaction: all of it is stored, or none. */
  transaction(work: () => void): void;
  /** The account's HMAC key for secret values in etags (`secrets.ts`). */
  secretKey(): Promise<CryptoKey>;
  /** Has a script's objects' storage deleted once the change has committed (durable-objects/purge.ts). */
  objectsGone(scope: RunScope, namespaces: string[] | "all"): void;
  /**
   * Tells the host of a script's objects, once the change has committed, that the script has a
   * new deployment; awaited, so that the next request finds its objects on their new versions.
   * Never rejects: a host it does not reach catches up by itself.
   */
  objectsRedeployed(scope: RunScope): Promise<void>;
}
