import type { CallPriority, PrioritySource } from "../cloudflare/call-priority";
import type { OperationRow } from "../registry/rows";

/**
 * Where a tenant's object's API calls stand in the shared budget's line
 * (cloudflare/call-priority.ts): as old as the operation whose step runs, so
 * that a step run again after a failure keeps its operation's age; and ahead
 * of background calls while an operator's request waits on the object (the
 * script check a POST or PUT answers with, a custom hostname checked again).
 * One per object: its steps run one at a time, so what runs now is one thing.
 */
export class WorkPriority {
  /** The operation whose step runs, with its creation time (epoch ms); null between steps. */
  #operation: { id: string; since: number } | null = null;
  /** How many steps that operation has after the one running (null: not told). */
  #later: number | null = null;
  /** Requests waiting on the object's work now. */
  #awaited = 0;

  /** Asked by the object's client before each call. */
  readonly source: PrioritySource = (): CallPriority => {
    const operation = this.#operation;
    return {
      class: this.#awaited > 0 ? "request" : "operation",
      // Between operations (the custom hostname checker): as old as the ask.
      since: operation?.since ?? Date.now(),
      ...(operation === null || this.#later === null ? {} : { work: { id: operation.id, later: this.#later } }),
    };
  };

  /** Runs a step of `operation`: its calls are as old as the operation. */
  async within<T>(operation: Pick<OperationRow, "id" | "created_at">, step: () => Promise<T>): Promise<T> {
    this.#operation = { id: operation.id, since: Date.parse(operation.created_at) };
    this.#later = null;
    try {
      return await step();
    } finally {
      this.#operation = null;
      this.#later = null;
    }
  }

  /**
   * The step about to run has `later` steps after it: its calls claim as
   * many more slots for the operation in the API budget (cloudflare/claims.ts).
   */
  readonly stepsAfter = (later: number): void => {
    this.#later = later;
  };

  /**
   * While `answer` is pending, a request waits on whatever the object runs (its
   * own operation, and the older ones queued ahead of it): those calls go first.
   */
  async awaited<T>(answer: Promise<T>): Promise<T> {
    this.#awaited++;
    try {
      return await answer;
    } finally {
      this.#awaited--;
    }
  }
}
