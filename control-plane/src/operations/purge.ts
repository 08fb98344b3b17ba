import { releaseAllHostnames } from "../registry/hostnames";
import type { RunnerDeps } from "./runner";

/**
 * Removes every trace of a tenant from the registry: for a provisioning whose
 * script the API refused before anything was created, so the request can be
 * answered as if nothing had happened.
 */
export async function purgeTenant(deps: Pick<RunnerDeps, "env" | "secrets">, tenantId: string): Promise<void> {
  const db = deps.env.DB;
  await deps.secrets.clear();
  await db.batch([
    releaseAllHostnames(db, tenantId),
    db
      .prepare("DELETE FROM operation_steps WHERE operation_id IN (SELECT id FROM operations WHERE tenant_id = ?)")
      .bind(tenantId),
    db.prepare("DELETE FROM operations WHERE tenant_id = ?").bind(tenantId),
    db.prepare("DELETE FROM tenants WHERE id = ?").bind(tenantId),
  ]);
}
