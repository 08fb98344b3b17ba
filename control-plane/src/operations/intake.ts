import type { OperationKind } from "../../../platform/tenants-api";
import { detailsOf } from "../api/errors";
import { tenantViewFrom, tenantViewSelects } from "../api/views";
import type { Config } from "../config";
import {
  claimHostnames,
  giveUpHostnames,
  hostnameClaims,
  reclaimHostnames,
  takenHostnames,
} from "../registry/hostnames";
import { insertOperation, nextOperation, operationOf, recordStep, selectNextOperation } from "../registry/operations";
import { getTenant, insertTenant, selectTenant, tenantOf, updateTenant } from "../registry/tenants";
import { deploymentHistory, getVersion, latestVersion } from "../registry/versions";
import {
  admitCreate,
  admitDeleteSecret,
  admitPutSecret,
  admitRemove,
  admitUpdate,
  type CreateOutcome,
  type CreateSubmission,
  type Refusal,
  refuseCrons,
  refuseTaken,
  requireLiveTenant,
  type Submission,
  type UpdateSubmission,
} from "./admission";
import {
  noRollbackTarget,
  refuseStaging,
  refuseUnknownVersions,
  refuseWhileDeploying,
  rollbackTarget,
} from "./deployment-admission";
import { requestedSettings } from "./requested-settings";
import { checkScript } from "./steps";
import type { TenantSecrets } from "./tenant-secrets";
import type { VersionNote } from "./version-notes";
import { DeploymentInput } from "./version-steps";

/**
 * Each request to change a tenant: reads what admission needs from the
 * registry, and records what it admits (the change, and the operation that
 * makes it live). Run one at a time per tenant, by its Durable Object, which
 * then runs the operation.
 */

export async function takeCreate(
  db: D1Database,
  config: Config,
  secrets: TenantSecrets,
  submission: CreateSubmission,
): Promise<CreateOutcome> {
  const id = submission.tenant.id;
  // One round trip for the two reads every create makes.
  const [existing, latest] = await db.batch([selectTenant(db, id), selectNextOperation(db, id)]);
  const admitted = admitCreate(submission, {
    existing: existing === undefined ? null : tenantOf(existing),
    latestOperationId: latest === undefined ? null : (operationOf(latest)?.id ?? null),
    taken: await takenHostnames(db, id, submission.hostnames),
  });
  if (!admitted.ok) return admitted;
  if (admitted.replayOf !== undefined) return { ok: true, operationId: admitted.replayOf, replayed: true };
  const operationId = crypto.randomUUID();
  const secretNames = Object.keys(submission.secrets).sort();
  // The values first: once the operation is recorded it may run, and it must find them.
  await secrets.put(submission.secrets);
  // Last in the batch, so they see the rest: the request's answer, one round trip fewer.
  const readBack = tenantViewSelects(db, id);
  let recorded: D1Result[];
  try {
    recorded = await db.batch([
      // A deleted tenant's hostnames were released with it.
      insertTenant(db, { ...submission.tenant, secretNames }),
      ...claimHostnames(db, id, submission.hostnames),
      insertOperation(db, {
        id: operationId,
        tenantId: id,
        kind: "provision",
        input: {
          scriptKey: submission.tenant.scriptKey,
          ...(submission.crons === undefined ? {} : { crons: submission.crons }),
          ...(submission.createdBy === undefined ? {} : { createdBy: submission.createdBy }),
        },
      }),
      // The check's answer is known: its step is recorded as run once, at once, and the runner passes it.
      ...(submission.scriptAccepted === true
        ? [
            recordStep(db, operationId, checkScript.name, "running"),
            recordStep(db, operationId, checkScript.name, "succeeded"),
          ]
        : []),
      ...readBack,
    ]);
  } catch (error) {
    await secrets.forget(secretNames);
    return hostnameRace(db, id, submission.hostnames, error);
  }
  const view = tenantViewFrom(config, recorded.slice(-readBack.length));
  return { ok: true, operationId, ...(view === null ? {} : { view }) };
}

/** New code: deployed (`deploy`), or uploaded as a version staged beside the live one. */
export async function takeDeploy(
  db: D1Database,
  id: string,
  request: { scriptKey: string; deploy: boolean; crons?: string[]; rolloutId?: string | undefined } & VersionNote,
): Promise<Submission> {
  const live = requireLiveTenant(
    id,
    await getTenant(db, id),
    "only a provisioning, active or suspended tenant takes new code",
  );
  if (!live.ok) return live;
  if (request.crons !== undefined) {
    const queuedPlan = (await requestedSettings(db, [id])).get(id)?.plan;
    const plans = queuedPlan === undefined ? [live.tenant.plan] : [live.tenant.plan, queuedPlan];
    const refused = refuseCrons(request.crons, plans);
    if (refused !== null) return refused;
  }
  if (!request.deploy) {
    const refused = refuseStaging(live.tenant);
    if (refused !== null) return refused;
  }
  const { rolloutId, ...input } = request;
  return enqueue(db, id, "deploy", input, rolloutId);
}

/** Versions the tenant has, deployed with these percentages. */
export async function takeDeployment(
  db: D1Database,
  id: string,
  request: DeploymentInput & { rolloutId?: string | undefined },
): Promise<Submission> {
  const live = requireLiveTenant(id, await getTenant(db, id), "its versions cannot be deployed");
  if (!live.ok) return live;
  const known = new Set<string>();
  for (const version of request.versions) {
    if ((await getVersion(db, id, version.id)) !== null) known.add(version.id);
  }
  const unknown = refuseUnknownVersions(id, request.versions, known, (index) => `versions.${index}.id`);
  if (unknown !== null) return unknown;
  const { rolloutId, ...input } = request;
  return enqueue(db, id, "deployment", input, rolloutId);
}

/** A deployment of one version at 100%: the one named, or the one deployed before the current one. */
export async function takeRollback(
  db: D1Database,
  id: string,
  request: { versionId?: string | undefined; force: boolean; rolloutId?: string | undefined } & VersionNote,
): Promise<Submission> {
  const live = requireLiveTenant(id, await getTenant(db, id), "it cannot be rolled back");
  if (!live.ok) return live;
  const { versionId, rolloutId, ...note } = request;
  const target = versionId ?? rollbackTarget(live.tenant, await deploymentHistory(db, id, 100));
  if (target === null) return noRollbackTarget(live.tenant);
  const known = new Set((await getVersion(db, id, target)) === null ? [] : [target]);
  const unknown = refuseUnknownVersions(id, [{ id: target }], known, () => "versionId");
  if (unknown !== null) return unknown;
  // Checked here as the API checks a request: a caller other than the API (a rollout) may send anything.
  const input = DeploymentInput.safeParse({
    ...note,
    message: note.message ?? `rollback to ${target}`,
    versions: [{ id: target, percentage: 100 }],
  });
  if (!input.success) {
    const details = detailsOf(input.error);
    return {
      ok: false,
      status: 400,
      code: "invalid_request",
      message: `invalid rollback: ${details[0]?.path}: ${details[0]?.message}`,
      details,
    };
  }
  return enqueue(db, id, "deployment", input.data, rolloutId);
}

export async function takeUpdate(db: D1Database, id: string, change: UpdateSubmission): Promise<Submission> {
  const tenant = await getTenant(db, id);
  const admitted = admitUpdate(id, change, {
    tenant,
    claims: await hostnameClaims(db, id),
    requested: (await requestedSettings(db, [id])).get(id) ?? {},
  });
  if (!admitted.ok) return admitted;
  const { added, reclaimed, removed, input } = admitted;
  if (input.reupload && tenant !== null) {
    const deploying = refuseWhileDeploying(tenant, "reupload", null);
    if (deploying !== null) return deploying;
  }
  const taken = refuseTaken(await takenHostnames(db, id, added));
  if (taken !== null) return taken;
  const operationId = crypto.randomUUID();
  try {
    // The registry records the claims; the plan, vars and suspension stay as they are live until the operation applies them.
    await db.batch([
      ...giveUpHostnames(db, id, removed),
      ...reclaimHostnames(db, id, reclaimed),
      ...claimHostnames(db, id, added),
      insertOperation(db, { id: operationId, tenantId: id, kind: "update", input }),
    ]);
  } catch (error) {
    return hostnameRace(db, id, added, error);
  }
  return { ok: true, operationId, reupload: input.reupload };
}

export async function takePutSecret(
  db: D1Database,
  secrets: TenantSecrets,
  id: string,
  name: string,
  value: string,
): Promise<Submission> {
  const tenant = await getTenant(db, id);
  const admitted = admitPutSecret(id, name, tenant, (await requestedSettings(db, [id])).get(id) ?? {});
  if (!admitted.ok) return admitted;
  const deploying = refuseWhileDeploying(admitted.tenant, "secret", await latestVersion(db, id));
  if (deploying !== null) return deploying;
  await secrets.put({ [name]: value });
  await updateTenant(db, id, { secretNames: admitted.secretNames }).run();
  return enqueue(db, id, "put_secret", { name });
}

export async function takeDeleteSecret(db: D1Database, id: string, name: string): Promise<Submission> {
  const admitted = admitDeleteSecret(id, name, await getTenant(db, id));
  if (!admitted.ok) return admitted;
  const deploying = refuseWhileDeploying(admitted.tenant, "secret", await latestVersion(db, id));
  if (deploying !== null) return deploying;
  await updateTenant(db, id, { secretNames: admitted.secretNames }).run();
  return enqueue(db, id, "delete_secret", { name });
}

export async function takeRemove(db: D1Database, id: string): Promise<Submission> {
  const admitted = admitRemove(id, await getTenant(db, id), await nextOperation(db, id));
  if (!admitted.ok) return admitted;
  if (admitted.replayOf !== undefined) return { ok: true, operationId: admitted.replayOf, replayed: true };
  await updateTenant(db, id, { state: "deleting" }).run();
  return enqueue(db, id, "delete", {});
}

async function enqueue(
  db: D1Database,
  id: string,
  kind: OperationKind,
  input: Record<string, unknown>,
  rolloutId?: string,
): Promise<Submission> {
  const operationId = crypto.randomUUID();
  await insertOperation(db, { id: operationId, tenantId: id, kind, input, rolloutId }).run();
  return { ok: true, operationId };
}

/**
 * A batch of claims failed: when another tenant claimed one of the hostnames
 * since admission read them (the batch wrote nothing), that is the request's
 * 409; any other failure is thrown as it is.
 */
async function hostnameRace(db: D1Database, id: string, hostnames: string[], error: unknown): Promise<Refusal> {
  const taken = refuseTaken(await takenHostnames(db, id, hostnames));
  if (taken === null) throw error;
  return taken;
}
