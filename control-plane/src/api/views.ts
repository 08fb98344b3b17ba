import type { OperationHistoryView, OperationView, TenantView } from "../../../platform/tenants-api";
import { tenantResourceNames } from "../cloudflare/names";
import type { Config } from "../config";
import { customHostnameViewOfRow } from "../custom-hostnames/view";
import {
  requestedSettingsFrom,
  type Settings,
  sameVars,
  selectRequestedSettings,
} from "../operations/requested-settings";
import { customHostnameRowsFrom, selectCustomHostnameRowsOfMany } from "../registry/custom-hostnames";
import type { HostnameClaim } from "../registry/hostnames";
import { currentOperationsFrom, selectCurrentOperations } from "../registry/operations";
import type { OperationRow, StepRow, TenantRow } from "../registry/rows";
import { selectTenant, tenantOf } from "../registry/tenants";
import { allHostnames } from "../routing/routing-table";

export function operationView(operation: OperationRow): OperationView {
  return {
    id: operation.id,
    kind: operation.kind,
    state: operation.state,
    step: operation.step,
    attempts: operation.attempts,
    error: operation.error,
    createdAt: operation.created_at,
    updatedAt: operation.updated_at,
  };
}

/** An operation with the steps it ran, for a tenant's history. */
export function operationHistoryView(operation: OperationRow, steps: readonly StepRow[]): OperationHistoryView {
  return {
    ...operationView(operation),
    rolloutId: operation.rollout_id,
    steps: steps.map((step) => ({
      name: step.name,
      state: step.state,
      attempts: step.attempts,
      lastError: step.error,
      startedAt: step.started_at,
      finishedAt: step.state === "running" ? null : step.updated_at,
    })),
  };
}

/** The selects of what the views of these tenants (at least one) show beside their rows, in batch order. */
const viewSelects = (db: D1Database, ids: readonly string[]) => [
  selectCustomHostnameRowsOfMany(db, ids),
  selectCurrentOperations(db, ids),
  selectRequestedSettings(db, ids),
];

/** The tenants as the API shows them: their hostnames, current operations and queued settings read in one batch. */
export async function tenantViews(db: D1Database, config: Config, rows: TenantRow[]): Promise<TenantView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  return viewsOf(config, rows, ids, await db.batch(viewSelects(db, ids)));
}

/** The tenant as the API shows it (null: none), its row read in the same batch as the rest: one round trip. */
export async function tenantViewById(db: D1Database, config: Config, id: string): Promise<TenantView | null> {
  return tenantViewFrom(config, await db.batch(tenantViewSelects(db, id)));
}

/** The selects of one tenant's view, its row first: a batch that records a change to the tenant can end with them. */
export const tenantViewSelects = (db: D1Database, id: string): D1PreparedStatement[] => [
  selectTenant(db, id),
  ...viewSelects(db, [id]),
];

/** The tenant's view (null: none) from the results of `tenantViewSelects`, in order. */
export function tenantViewFrom(config: Config, results: D1Result[]): TenantView | null {
  const [tenant, ...shown] = results;
  const row = tenant === undefined ? null : tenantOf(tenant);
  return row === null ? null : (viewsOf(config, [row], [row.id], shown)[0] ?? null);
}

/** The views of `rows`, from what viewSelects read for their `ids`. */
function viewsOf(config: Config, rows: TenantRow[], ids: readonly string[], shown: D1Result[]): TenantView[] {
  const [hostnameRows, operationRows, requestedRows] = shown;
  if (hostnameRows === undefined || operationRows === undefined || requestedRows === undefined) {
    throw new Error("the views' batch answered fewer results than it has statements");
  }
  const customHostnames = customHostnameRowsFrom(hostnameRows, ids);
  const operations = currentOperationsFrom(operationRows);
  const requested = requestedSettingsFrom(requestedRows);
  return rows.map((row) => {
    const names = tenantResourceNames(row.id);
    const operation = operations.get(row.id);
    // Every claim of the tenant is a row of the hostnames table, custom hostname or not.
    const owned: HostnameClaim[] = (customHostnames.get(row.id) ?? []).map(({ hostname, state }) => ({
      hostname,
      state,
    }));
    // Live: routed, including those given up whose routes are not deleted yet.
    const live = owned.filter((claim) => claim.state !== "adding").map((claim) => claim.hostname);
    return {
      id: row.id,
      plan: row.plan,
      state: row.state,
      hostnames: row.state === "deleted" ? [] : allHostnames(row.id, config.platformDomain, live),
      customHostnames: (customHostnames.get(row.id) ?? [])
        .filter((claim) => claim.custom_hostname_id !== null)
        .map(customHostnameViewOfRow),
      resources: {
        kv: row.kv_namespace_id === null ? null : { id: row.kv_namespace_id, title: names.kv },
        r2: row.r2_bucket_name === null ? null : { name: row.r2_bucket_name },
        d1: row.d1_database_id === null ? null : { id: row.d1_database_id, name: names.d1 },
      },
      script:
        row.script_key === null && row.script_etag === null
          ? null
          : {
              name: row.script_name,
              etag: row.script_etag,
              uploadedAt: row.script_uploaded_at,
              compatibilityDate: row.compatibility_date,
              durableObjects: {
                bindings: row.durable_object_bindings,
                classes: row.durable_object_classes,
                migrationTag: row.durable_object_tag,
              },
              crons: row.crons,
            },
      vars: row.vars,
      secrets: row.secret_names,
      lastError: row.last_error,
      pending: pendingOf(row, requested.get(row.id) ?? {}, owned, config.platformDomain),
      operation: operation === undefined ? null : operationView(operation),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}

/** What is asked for and not live yet: the settings that differ from the live ones, and the hostnames if they change. */
function pendingOf(
  row: TenantRow,
  requested: Partial<Settings>,
  claims: HostnameClaim[],
  platformDomain: string,
): TenantView["pending"] {
  const pending: NonNullable<TenantView["pending"]> = {};
  if (requested.plan !== undefined && requested.plan !== row.plan) pending.plan = requested.plan;
  if (requested.vars !== undefined && !sameVars(requested.vars, row.vars)) pending.vars = requested.vars;
  if (requested.suspended !== undefined && requested.suspended !== row.suspended) {
    pending.suspended = requested.suspended;
  }
  if (claims.some((claim) => claim.state !== "live")) {
    const kept = claims.filter((claim) => claim.state !== "removing").map((claim) => claim.hostname);
    pending.hostnames = allHostnames(row.id, platformDomain, kept);
  }
  return Object.keys(pending).length === 0 ? null : pending;
}
