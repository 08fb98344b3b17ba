import { DurableObject } from "cloudflare:workers";
import { configOf } from "../config";
import type { Env } from "../env";
import { Mutex } from "../operations/mutex";
import { rolloutCounts } from "../registry/rollout-counts";
import { markRollback } from "../registry/rollout-rollbacks";
import { canaryTenants, getRollout, type RolloutRow, transition } from "../registry/rollouts";
import { judgeObservedCanary, pauseAfterCanary } from "./canary-watch";
import { failPending, recordSettledDeploys, submitDeploys } from "./deploy-batch";
import { rollBackRound } from "./rollback-batch";
import { RESUMABLE, ROLLBACKABLE, whyNotResume, whyNotRollback } from "./transitions";

/** How often a running rollout looks at its deploys. */
const POLL_MS = 500;
/** How soon a round that failed is tried again. */
const RETRY_MS = 5_000;

/** An operator's request, answered: done, or refused with why (a 409). */
export type RolloutRequestOutcome = { ok: true } | { ok: false; message: string };

/**
 * One per rollout: hands each tenant's deploy to the tenant's own operations
 * object (so it queues behind whatever that tenant is doing, and is retried
 * like any deploy), a few at a time, and follows them to the end: the canary
 * batch first, then a pause (transitions.ts), then the rest; or, once asked,
 * every tenant it submitted back to its version from before. It keeps nothing
 * in memory but a lock: the registry says where it is, and the alarm carries
 * it on after a crash. The API's rate limit is kept by the shared budget
 * every Cloudflare call goes through.
 */
export class Rollout extends DurableObject<Env> {
  /** The alarm and operators' requests change the rollout one at a time. */
  readonly #lock = new Mutex();

  async start(id: string): Promise<void> {
    await this.ctx.storage.put("rollout-id", id);
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Goes on past the pause, at once. */
  resume(id: string): Promise<RolloutRequestOutcome> {
    return this.#request(id, RESUMABLE, whyNotResume, {
      state: "running",
      phase: "fleet",
      pausedReason: null,
      pausedUntil: null,
    });
  }

  /**
   * Returns every tenant the rollout submitted to its previous version; stops
   * deploying. The items are marked for it with the transition, in one
   * batch: from its first answer the rollout counts what it will roll back.
   */
  rollback(id: string): Promise<RolloutRequestOutcome> {
    return this.#request(
      id,
      ROLLBACKABLE,
      whyNotRollback,
      { state: "rolling_back", phase: "rollback", pausedReason: null, pausedUntil: null },
      markRollback(this.env.DB, id),
    );
  }

  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>("rollout-id");
    if (id === undefined) return;
    let next: number | null;
    try {
      next = await this.#lock.run(async () => {
        const rollout = await getRollout(this.env.DB, id);
        return rollout === null ? null : this.#advance(rollout);
      });
    } catch (error) {
      // The registry or an operations object failed this round: every round starts again from the registry,
      // so the next one picks up from here. Tried again on an alarm of our own rather than the runtime's few retries.
      console.error(`rollout ${id}: ${(error as Error).message}`);
      next = Date.now() + RETRY_MS;
    }
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  /**
   * The alarm is set before the registry changes: a crash between the two
   * leaves an alarm that finds nothing to do (the request failed and can be
   * asked again), never a running rollout with no alarm.
   */
  async #request(
    id: string,
    from: readonly RolloutRow["state"][],
    refusal: (id: string, state: RolloutRow["state"]) => string,
    change: Parameters<typeof transition>[3],
    alongside: readonly D1PreparedStatement[] = [],
  ): Promise<RolloutRequestOutcome> {
    return this.#lock.run(async () => {
      await this.ctx.storage.put("rollout-id", id);
      await this.ctx.storage.setAlarm(Date.now());
      if (await transition(this.env.DB, id, from, change, alongside)) return { ok: true };
      const rollout = await getRollout(this.env.DB, id);
      return { ok: false, message: refusal(id, rollout?.state ?? "completed") };
    });
  }

  /** One step of the rollout from where the registry says it is; answers when to look again (null: not until asked). */
  async #advance(rollout: RolloutRow): Promise<number | null> {
    const db = this.env.DB;
    if (rollout.state === "rolling_back") {
      await recordSettledDeploys(db, rollout.id);
      if (!(await rollBackRound(this.env, rollout.id))) return Date.now() + POLL_MS;
      await transition(db, rollout.id, ["rolling_back"], { state: "rolled_back" });
      return null;
    }
    if (rollout.state === "paused") {
      if (rollout.paused_reason !== "observing") return null;
      const canary = await canaryTenants(db, rollout.id, rollout.canary_total);
      return judgeObservedCanary(this.env, rollout, configOf(this.env), canary);
    }
    if (rollout.state !== "running") return null;

    const refused = await recordSettledDeploys(db, rollout.id);
    if (refused !== null) await failPending(db, rollout.id, refused);
    const only = rollout.phase === "canary" ? "canary" : "all";
    if (refused === null) await submitDeploys(this.env, rollout, only);

    const after = (await rolloutCounts(db, rollout.id))[only];
    if (after.submitted > 0 || after.pending > 0) return Date.now() + POLL_MS;
    if (refused !== null || rollout.refused !== null) {
      await transition(db, rollout.id, ["running"], { state: "failed" });
      return null;
    }
    if (rollout.phase === "canary") return pauseAfterCanary(db, rollout, configOf(this.env));
    await transition(db, rollout.id, ["running"], { state: "completed" });
    return null;
  }
}
