import type { z } from "zod";
import { canaryCount } from "../../../platform/canary-size.ts";
import {
  CreateRolloutRequest,
  type ErrorCode,
  RolloutActionRequest,
  RolloutView,
} from "../../../platform/tenants-api.ts";

type View = z.infer<typeof RolloutView>;
type Refuse = (status: number, code: ErrorCode, message: string) => never;

/** A rollout with what the stand-in needs to move it on: the tenants left, and those deployed. */
type Rollout = { view: View; canaryQueue: string[]; fleetQueue: string[]; deployed: string[] };

/**
 * The fake control plane's rollouts, keeping the contract's shapes: the
 * canary first (the first tenants of the selection), one tenant per read;
 * then paused (`awaiting_resume`; with autoResume, `observing` for one read,
 * then judged healthy); a resume deploys the rest, one per read; a rollback
 * returns the deployed tenants one per read. Tenants whose id starts with
 * `fail-` fail. Resume and rollback refuse as the control plane does (409).
 */
export function fakeRollouts(
  selectTenants: (filter: { plan?: string; tenants?: string[] }) => string[],
  now: () => string,
) {
  const rollouts = new Map<string, Rollout>();

  const deploy = (rollout: Rollout, tenantId: string, canary: boolean) => {
    const { view } = rollout;
    if (tenantId.startsWith("fail-")) {
      view.failed += 1;
      if (canary) view.canary.failed += 1;
      view.failures.push({ tenantId, message: "script_rejected: the upload was refused" });
    } else {
      view.succeeded += 1;
      if (canary) view.canary.succeeded += 1;
      rollout.deployed.push(tenantId);
    }
    view.pending -= 1;
    if (canary) view.canary.pending -= 1;
  };

  /** One step, as a read observes it. */
  const advance = (rollout: Rollout) => {
    const { view } = rollout;
    const at = now();
    view.updatedAt = at;
    if (view.state === "rolling_back" && view.rollback !== null) {
      view.rollback.succeeded += 1;
      view.rollback.pending -= 1;
      if (view.rollback.pending === 0) view.state = "rolled_back";
      return;
    }
    if (view.state === "paused" && view.paused?.reason === "observing") {
      const traffic = { requests: 10, errors: 0, rate: 0, from: at, to: at };
      view.health = { before: traffic, after: traffic, tolerance: 0.01, verdict: "healthy", judgedAt: at };
      Object.assign(view, { state: "running", phase: "fleet", paused: null });
      return;
    }
    if (view.state !== "running") return;
    const canaryNext = rollout.canaryQueue.shift();
    if (canaryNext !== undefined) deploy(rollout, canaryNext, true);
    else {
      const next = rollout.fleetQueue.shift();
      if (next !== undefined) deploy(rollout, next, false);
    }
    if (view.phase === "canary" && rollout.canaryQueue.length === 0) {
      if (rollout.fleetQueue.length === 0) view.phase = "fleet";
      else {
        const reason = view.canary.failed > 0 ? "canary_failed" : view.autoResume ? "observing" : "awaiting_resume";
        view.state = "paused";
        view.paused = {
          reason,
          message: `the canary is deployed (${reason})`,
          until: reason === "observing" ? at : null,
        };
        return;
      }
    }
    if (view.phase === "fleet" && rollout.fleetQueue.length === 0)
      view.state = view.failed > 0 ? "failed" : "completed";
  };

  const find = (id: string, refuse: Refuse): Rollout => {
    const rollout = rollouts.get(id);
    if (rollout === undefined) refuse(404, "not_found", `no rollout "${id}"`);
    return rollout as Rollout;
  };

  return {
    create(body: unknown, parse: <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>): View {
      const { filter, canary, autoResume } = parse(CreateRolloutRequest, body);
      const selected = selectTenants(filter);
      const count = canaryCount(canary, selected.length);
      const at = now();
      const view: View = {
        id: `ro-${rollouts.size + 1}`,
        state: selected.length === 0 ? "completed" : "running",
        phase: count === 0 ? "fleet" : "canary",
        autoResume,
        total: selected.length,
        succeeded: 0,
        failed: 0,
        pending: selected.length,
        failures: [],
        canary: { count, tenants: selected.slice(0, count), succeeded: 0, failed: 0, pending: count },
        paused: null,
        health: null,
        rollback: null,
        createdAt: at,
        updatedAt: at,
      };
      rollouts.set(view.id, {
        view,
        canaryQueue: selected.slice(0, count),
        fleetQueue: selected.slice(count),
        deployed: [],
      });
      return RolloutView.parse(view);
    },
    get(id: string, refuse: Refuse): View {
      const rollout = find(id, refuse);
      advance(rollout);
      return RolloutView.parse(rollout.view);
    },
    resume(
      id: string,
      body: unknown,
      parse: <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>,
      refuse: Refuse,
    ): View {
      parse(RolloutActionRequest, body);
      const { view } = find(id, refuse);
      if (view.state !== "paused")
        refuse(409, "conflict", `rollout ${id} is ${view.state}: only a paused rollout can be resumed`);
      Object.assign(view, { state: "running", phase: "fleet", paused: null, updatedAt: now() });
      return RolloutView.parse(view);
    },
    rollback(
      id: string,
      body: unknown,
      parse: <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>,
      refuse: Refuse,
    ): View {
      parse(RolloutActionRequest, body);
      const rollout = find(id, refuse);
      const { view } = rollout;
      if (view.state === "rolling_back" || view.state === "rolled_back") {
        refuse(409, "conflict", `rollout ${id} is ${view.state}: it was rolled back already`);
      }
      const submitted = rollout.deployed.length;
      const skipped = view.total - view.succeeded - view.failed;
      Object.assign(view, {
        state: submitted === 0 ? "rolled_back" : "rolling_back",
        phase: "rollback",
        paused: null,
        updatedAt: now(),
        rollback: { succeeded: 0, failed: 0, pending: submitted, skipped, failures: [] },
      });
      return RolloutView.parse(view);
    },
    clear: () => rollouts.clear(),
  };
}
