import type { OperationKind } from "../../../platform/tenants-api";
import {
  claimHostnames,
  giveUpHostnames,
  hostnameClaims,
  reclaimHostnames,
  takenHostnames,
} from "../registry/hostnames";
import { insertOperation, nextOperation } from "../registry/operations";
import { getTenant, insertTenant, updateTenant } from "../registry/tenants";
import {
  admitCreate,
  admitDeleteSecret,
  admitPutSecret,
  admitRemove,
  admitUpdate,
  type CreateSubmission,
  type Refusal,
  refuseTaken,
  requireLiveTenant,
  type Submission,
  type UpdateSubmission,
} from "./admission";
import { requestedSettings } from "./requested-settings";
import type { TenantSecrets } from "./tenant-secrets";

/**
 * Each request to change a tenant: reads what admission needs from the
 * registry, and records what it admits (the change, and the operation that
 * makes it live). Run one at a time per tenant, by its Durable Object, which
 * then runs the operation.
 */

export async function takeCreate(
  db: D1Database,
  secrets: TenantSecrets,
  submission: CreateSubmission,
): Promise<Submission> {
  const id = submission.tenant.id;
  const admitted = admitCreate(submission, {
    existing: await getTenant(db, id),
    latestOperationId: (await nextOperation(db, id))?.id ?? null,
    taken: await takenHostnames(db, id, submission.hostnames),
  });
  if (!admitted.ok) return admitted;
  if (admitted.replayOf !== undefined) return { ok: true, operationId: admitted.replayOf, replayed: true };
  const operationId = crypto.randomUUID();
  const secretNames = Object.keys(submission.secrets).sort();
  // The values first: once the operation is recorded it may run, and it must find them.
  await secrets.put(submission.secrets);
  try {
    await db.batch([
      // A deleted tenant's hostnames were released with it.
      insertTenant(db, { ...submission.tenant, secretNames }),
      ...claimHostnames(db, id, submission.hostnames),
      insertOperation(db, {
        id: operationId,
        tenantId: id,
        kind: "provision",
        input: { scriptKey: submission.tenant.scriptKey },
      }),
    ]);
  } catch (error) {
    await secrets.forget(secretNames);
    return hostnameRace(db, id, submission.hostnames, error);
  }
  return { ok: true, operationId };
}

export async function takeDeploy(
  db: D1Database,
  id: string,
  scriptKey: string,
  rolloutId?: string,
): Promise<Submission> {
  const live = requireLiveTenant(
    id,
    await getTenant(db, id),
    "only a provisioning, active or suspended tenant takes new code",
  );
  if (!live.ok) return live;
  return enqueue(db, id, "deploy", { scriptKey }, rolloutId);
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
  const admitted = admitPutSecret(id, name, await getTenant(db, id));
  if (!admitted.ok) return admitted;
  await secrets.put({ [name]: value });
  await updateTenant(db, id, { secretNames: admitted.secretNames }).run();
  return enqueue(db, id, "put_secret", { name });
}

export async function takeDeleteSecret(db: D1Database, id: string, name: string): Promise<Submission> {
  const admitted = admitDeleteSecret(id, name, await getTenant(db, id));
  if (!admitted.ok) return admitted;
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
