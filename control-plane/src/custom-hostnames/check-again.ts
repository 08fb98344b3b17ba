import type { CustomHostnameView } from "../../../platform/custom-hostname-view";
import type { ErrorCode } from "../../../platform/tenants-api";
import { CloudflareApiError } from "../cloudflare/errors";
import { type CustomHostnameRow, customHostnameRows, restartChecks } from "../registry/custom-hostnames";
import { getTenant } from "../registry/tenants";
import { type CheckerDeps, takeAnswer } from "./checker";
import { customHostnameViewOfRow, isCustomHostname } from "./view";

export type CheckAgainResult =
  | { readonly ok: true; readonly view: CustomHostnameView }
  | { readonly ok: false; readonly status: 404 | 409 | 502; readonly code: ErrorCode; readonly message: string };

const refused = (status: 404 | 409 | 502, code: ErrorCode, message: string): CheckAgainResult => ({
  ok: false,
  status,
  code,
  message,
});

/**
 * Asks Cloudflare to validate one of the tenant's own domains again, now, and starts its checks
 * over: for a tenant who published its records late (after Cloudflare's validation timed out, or
 * after the control plane's checks stopped), or who does not want to wait for the next check.
 * A live hostname is left as it is. Runs in the tenant's object, never beside an operation.
 */
export async function checkAgain(deps: CheckerDeps, tenantId: string, hostname: string): Promise<CheckAgainResult> {
  const { env, config } = deps;
  const tenant = await getTenant(env.DB, tenantId);
  if (tenant === null || tenant.state === "deleted") return refused(404, "not_found", `no tenant "${tenantId}"`);
  const row = (await customHostnameRows(env.DB, tenantId)).find(
    (claim) =>
      claim.hostname === hostname && claim.state !== "removing" && isCustomHostname(hostname, config.platformDomain),
  );
  if (row === undefined) {
    return refused(404, "not_found", `tenant "${tenantId}" has no custom hostname ${hostname}`);
  }
  if (row.custom_hostname_id === null || (tenant.state !== "active" && tenant.state !== "suspended")) {
    return refused(409, "conflict", `${hostname} is not created yet: the tenant's operation is still running`);
  }
  if (row.live_at !== null) return { ok: true, view: customHostnameViewOfRow(row) };
  try {
    const method = row.custom_hostname?.ssl?.method ?? "txt";
    const answer = await deps.api.customHostnames(config.zoneId).revalidate(row.custom_hostname_id, method);
    await restartChecks(env.DB, tenantId, hostname).run();
    const restarted: CustomHostnameRow = { ...row, check_attempts: 0, check_failure: null };
    await takeAnswer(deps, tenant, restarted, answer);
  } catch (error) {
    if (!(error instanceof CloudflareApiError)) throw error;
    return refused(502, "upstream_error", `the Cloudflare API did not take the request: ${error.message}`);
  }
  const now = (await customHostnameRows(env.DB, tenantId)).find(
    (claim) => claim.hostname === hostname,
  ) as CustomHostnameRow;
  return { ok: true, view: customHostnameViewOfRow(now) };
}
