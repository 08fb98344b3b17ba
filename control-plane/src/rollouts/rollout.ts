import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import {
  getRollout,
  pendingItems,
  rolloutCounts,
  setRolloutState,
  settledSubmissions,
  updateItem,
} from "../registry/rollouts";
import { OperationError } from "../registry/rows";

/** Deploys in flight at once: enough to keep the API budget busy, few enough to stop early on a refused script. */
const IN_FLIGHT = 10;
/** How often a running rollout looks at its deploys. */
const POLL_MS = 500;

/**
 * One per rollout: hands each tenant's deploy to the tenant's own operations
 * object (so it queues behind whatever that tenant is doing, and is retried
 * like any deploy), a few at a time, and follows them to the end. It keeps
 * nothing in memory: the registry says where it is, and the alarm carries it
 * on after a crash. The API's rate limit is kept by the shared budget every
 * Cloudflare call goes through.
 */
export class Rollout extends DurableObject<Env> {
  async start(id: string): Promise<void> {
    await this.ctx.storage.put("rollout-id", id);
    await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>("rollout-id");
    if (id === undefined) return;
    const rollout = await getRollout(this.env.DB, id);
    if (rollout === null || rollout.state !== "running") return;
    const db = this.env.DB;

    let refused: string | null = null;
    const settled = await settledSubmissions(db, id);
    if (settled.length > 0) {
      await db.batch(
        settled.map((item) => {
          const error = item.error === null ? null : OperationError.safeParse(JSON.parse(item.error));
          const message = error?.success ? error.data.message : undefined;
          if (error?.success && error.data.code === "script_rejected") refused = error.data.message;
          return updateItem(db, id, item.tenant_id, { state: item.state, error: message });
        }),
      );
    }

    if (refused !== null) {
      // The API refuses this code: the tenants not yet reached keep theirs.
      const rest = await pendingItems(db, id, 100_000);
      const message = `not deployed: the API refused the script: ${refused}`;
      for (let i = 0; i < rest.length; i += 50) {
        await db.batch(
          rest.slice(i, i + 50).map((tenantId) => updateItem(db, id, tenantId, { state: "failed", error: message })),
        );
      }
    }

    const counts = await rolloutCounts(db, id);
    const room = refused === null ? IN_FLIGHT - counts.submitted : 0;
    if (room > 0) {
      for (const tenantId of await pendingItems(db, id, room)) {
        const tenant = this.env.TENANT_OPERATIONS.get(this.env.TENANT_OPERATIONS.idFromName(tenantId));
        const submission = await tenant.deploy(tenantId, rollout.script_key, { wait: false, rolloutId: id });
        await updateItem(
          db,
          id,
          tenantId,
          submission.ok
            ? { state: "submitted", operationId: submission.operationId }
            : { state: "failed", error: submission.message },
        ).run();
      }
    }

    const after = await rolloutCounts(db, id);
    if (after.pending === 0 && after.submitted === 0) {
      await setRolloutState(db, id, refused === null ? "completed" : "failed").run();
      return;
    }
    if (refused !== null && after.submitted === 0) {
      await setRolloutState(db, id, "failed").run();
      return;
    }
    await this.ctx.storage.setAlarm(Date.now() + POLL_MS);
  }
}
