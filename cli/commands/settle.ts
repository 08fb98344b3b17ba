import type { TenantView } from "../../platform/tenants-api.ts";
import type { Context, Values } from "../command.ts";
import { formatOperation, formatTenant } from "../output.ts";
import { waitForTenant } from "../wait.ts";

/**
 * The end of every command that changes a tenant: without --wait, the tenant
 * as the 202 answered it; with --wait, as it is once its operation is over
 * (or `{"id", "deleted": true}` once a deleted tenant is gone).
 */
export async function settle(context: Context, values: Values, accepted: TenantView, gone = false): Promise<void> {
  const { out } = context;
  if (values.wait !== true) {
    out.result(accepted, () => formatTenant(accepted));
    out.note(`accepted: ${formatOperation(accepted)} (pass --wait to wait for it)`);
    return;
  }
  const onChange = (tenant: TenantView) => out.note(`tenant ${tenant.id}: ${tenant.state}, ${formatOperation(tenant)}`);
  const final = await waitForTenant(context.connection, accepted, { ...context.poll, gone, onChange });
  if (final === "gone") {
    out.result({ id: accepted.id, deleted: true }, () => `tenant ${accepted.id} deleted`);
    return;
  }
  out.result(final, () => formatTenant(final));
}
