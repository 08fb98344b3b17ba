import { cronLimitRefusal, type PlanName } from "../../../platform/plans";
import type { ErrorCode, TenantView } from "../../../platform/tenants-api";
import type { HostnameClaim } from "../registry/hostnames";
import type { OperationError, TenantRow } from "../registry/rows";
import type { NewTenant } from "../registry/tenants";
import { type Settings, sameVars } from "./requested-settings";
import type { UpdateInput } from "./steps";

/**
 * Whether a request to change a tenant is taken, decided from what the
 * registry holds: reads in, a decision out, nothing written. `intake.ts` does
 * the reading and records what is admitted.
 */

/** A request turned down, as the API answers it (`details`: each field at fault, for a 400). */
export type Refusal = {
  ok: false;
  status: 400 | 404 | 409 | 422;
  code: ErrorCode;
  message: string;
  details?: { path: string; message: string }[];
};

/** How a request to change a tenant came out. */
export type Submission =
  /** `replayed`: the same request came before; nothing new was recorded. `reupload`: an update that uploads the script again. */
  { ok: true; operationId: string; replayed?: true; reupload?: boolean } | Refusal;

/** A create's outcome; `view`: a new tenant as the batch that recorded it read it back (the answer, if nothing runs before it). */
export type CreateOutcome = Submission & { view?: TenantView };

export type CreateSubmission = {
  tenant: Omit<NewTenant, "secretNames">;
  hostnames: string[];
  secrets: Record<string, string>;
  /** The script's cron triggers, set once it is uploaded (none when absent). */
  crons?: string[];
  /** Which client asked (api/created-by.ts): its first version is noted so. */
  createdBy?: string;
  /**
   * The API accepted this code lately (scripts/accepted-code.ts): the provisioning's check of it
   * is recorded done with the tenant, so the request waits on no step and the provisioning starts at once.
   */
  scriptAccepted?: boolean;
};

export type UpdateSubmission = {
  plan?: PlanName;
  hostnames?: string[];
  vars?: Record<string, string>;
  suspended?: boolean;
};

const notFound = (message: string): Refusal => ({ ok: false, status: 404, code: "not_found", message });
const conflict = (message: string): Refusal => ({ ok: false, status: 409, code: "conflict", message });

export const rejected = (error: OperationError): Refusal => ({
  ok: false,
  status: 422,
  code: "script_rejected",
  message: `the Cloudflare API refused the script: ${error.message}`,
});

/** Null when none of the hostnames is another tenant's. */
export function refuseTaken(taken: string[]): Refusal | null {
  if (taken.length === 0) return null;
  return {
    ok: false,
    status: 409,
    code: "hostname_taken",
    message: `already used by another tenant, or still being released by one: ${taken.join(", ")}`,
  };
}

type Admitted<T> = ({ ok: true } & T) | Refusal;

/** The tenant, unless there is none (or it was deleted). */
export function requireTenant(id: string, tenant: TenantRow | null): Admitted<{ tenant: TenantRow }> {
  if (tenant === null || tenant.state === "deleted") return notFound(`no tenant "${id}"`);
  return { ok: true, tenant };
}

/** The tenant, if it is provisioning, active or suspended: `refusal` says what it cannot be given otherwise. */
export function requireLiveTenant(
  id: string,
  tenant: TenantRow | null,
  refusal: string,
): Admitted<{ tenant: TenantRow }> {
  const found = requireTenant(id, tenant);
  if (!found.ok) return found;
  if (!["provisioning", "active", "suspended"].includes(found.tenant.state)) {
    return conflict(`tenant "${id}" is ${found.tenant.state}: ${refusal}`);
  }
  return found;
}

/** A new tenant; the same request again is a replay of the operation it queued. */
export function admitCreate(
  submission: CreateSubmission,
  registry: { existing: TenantRow | null; latestOperationId: string | null; taken: string[] },
): Admitted<{ replayOf?: string }> {
  const { existing } = registry;
  if (existing !== null && existing.state !== "deleted") {
    if (existing.request_digest === submission.tenant.requestDigest) {
      return { ok: true, replayOf: registry.latestOperationId ?? "" };
    }
    return conflict(`tenant "${submission.tenant.id}" exists with a different definition`);
  }
  return refuseTaken(registry.taken) ?? { ok: true };
}

/** What an admitted update changes: the hostname claims, and the operation's input. */
export type AdmittedUpdate = {
  added: string[];
  reclaimed: string[];
  removed: string[];
  input: UpdateInput;
};

/**
 * A change of plan, hostnames, vars or suspension. The hostnames it adds
 * still have to be free (`refuseTaken`), which only the registry can say.
 */
export function admitUpdate(
  id: string,
  change: UpdateSubmission,
  registry: { tenant: TenantRow | null; claims: HostnameClaim[]; requested: Partial<Settings> },
): Admitted<AdmittedUpdate> {
  const live = requireLiveTenant(id, registry.tenant, "it cannot be changed");
  if (!live.ok) return live;
  const { tenant } = live;
  const clash = Object.keys(change.vars ?? {}).find((name) => tenant.secret_names.includes(name));
  if (clash !== undefined) return conflict(`"${clash}" is one of the tenant's secrets: a var cannot have its name`);
  const bound = Object.keys(change.vars ?? {}).find((name) => Object.hasOwn(tenant.durable_object_bindings, name));
  if (bound !== undefined) {
    return conflict(`"${bound}" is one of the script's Durable Object bindings: a var cannot have its name`);
  }
  const tooManyCrons = change.plan === undefined ? null : cronLimitRefusal(change.plan, tenant.crons.length);
  if (tooManyCrons !== null) {
    return conflict(`${tooManyCrons} (the tenant's script has them): deploy it with fewer crons first`);
  }
  const { claims, requested } = registry;
  const held = claims.filter((claim) => claim.state !== "removing").map((claim) => claim.hostname);
  const wanted = change.hostnames ?? held;
  // Upload again when the plan or vars differ from what is live, or from
  // what an update still queued will make live.
  const changesPlan = (plan: PlanName) => change.plan !== undefined && change.plan !== plan;
  const changesVars = (vars: Record<string, string>) => change.vars !== undefined && !sameVars(change.vars, vars);
  const reupload =
    changesPlan(tenant.plan) ||
    changesPlan(requested.plan ?? tenant.plan) ||
    changesVars(tenant.vars) ||
    changesVars(requested.vars ?? tenant.vars);
  return {
    ok: true,
    added: wanted.filter((hostname) => !claims.some((claim) => claim.hostname === hostname)),
    reclaimed: claims
      .filter((claim) => claim.state === "removing" && wanted.includes(claim.hostname))
      .map((claim) => claim.hostname),
    removed: held.filter((hostname) => !wanted.includes(hostname)),
    input: {
      reupload,
      ...(change.plan === undefined ? {} : { plan: change.plan }),
      ...(change.vars === undefined ? {} : { vars: change.vars }),
      ...(change.suspended === undefined ? {} : { suspended: change.suspended }),
    },
  };
}

/**
 * New cron triggers: within the limit of the tenant's plan, and of the plan a queued PATCH
 * asks for (a 400 naming `crons`, as the API's other checks of a field).
 */
export function refuseCrons(crons: readonly string[], plans: readonly PlanName[]): Refusal | null {
  for (const plan of plans) {
    const tooMany = cronLimitRefusal(plan, crons.length);
    if (tooMany !== null) {
      return {
        ok: false,
        status: 400,
        code: "invalid_request",
        message: `crons: ${tooMany}`,
        details: [{ path: "crons", message: tooMany }],
      };
    }
  }
  return null;
}

/**
 * A secret set: the tenant's secret names with `name` among them. A name a queued PATCH gives a var is
 * refused as one of the live vars is (by the route), or the upload that PATCH makes would bind it twice.
 */
export function admitPutSecret(
  id: string,
  name: string,
  tenant: TenantRow | null,
  requested: Partial<Settings>,
): Admitted<{ tenant: TenantRow; secretNames: string[] }> {
  const live = requireLiveTenant(id, tenant, "it takes no secrets");
  if (!live.ok) return live;
  if (requested.vars !== undefined && Object.hasOwn(requested.vars, name)) {
    return conflict(`"${name}" is one of the vars a queued change gives the tenant: a secret cannot have its name`);
  }
  return { ok: true, tenant: live.tenant, secretNames: [...new Set([...live.tenant.secret_names, name])].sort() };
}

/** A secret deleted: the tenant's secret names without `name`. */
export function admitDeleteSecret(
  id: string,
  name: string,
  tenant: TenantRow | null,
): Admitted<{ tenant: TenantRow; secretNames: string[] }> {
  const found = requireTenant(id, tenant);
  if (!found.ok) return found;
  if (!found.tenant.secret_names.includes(name)) return notFound(`tenant "${id}" has no secret "${name}"`);
  return { ok: true, tenant: found.tenant, secretNames: found.tenant.secret_names.filter((n) => n !== name) };
}

/** A delete; one asked for again while the first is queued is that one. */
export function admitRemove(
  id: string,
  tenant: TenantRow | null,
  pending: { id: string; kind: string } | null,
): Admitted<{ replayOf?: string }> {
  const found = requireTenant(id, tenant);
  if (!found.ok) return found;
  if (found.tenant.state === "deleting" && pending?.kind === "delete") return { ok: true, replayOf: pending.id };
  return { ok: true };
}
