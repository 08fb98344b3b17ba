import type { TenantView } from "../platform/tenants-api.ts";
import { api } from "./api.ts";
import { CliError, EXIT } from "./errors.ts";
import type { Connection } from "./http.ts";
import { formatOperation } from "./output.ts";
import { type PollOptions, pollUntil } from "./poll.ts";

const busy = (tenant: TenantView) =>
  tenant.operation !== null && ["queued", "running"].includes(tenant.operation.state);

/**
 * --wait: polls the tenant until no operation is queued or running, then
 * judges the outcome. It failed when the tenant is `failed`, or its operation
 * is, or it records an error at or after the operation the command started
 * (a failed deploy leaves an active tenant active, with its lastError).
 * `gone` is for delete: a tenant no longer found is one deleted.
 */
export async function waitForTenant(
  connection: Connection,
  started: TenantView,
  options: PollOptions & { gone?: boolean; onChange?: (tenant: TenantView) => void },
): Promise<TenantView | "gone"> {
  const since = Date.parse(started.operation?.createdAt ?? started.updatedAt);
  let final: TenantView;
  try {
    final = await pollUntil(
      started,
      () => api.getTenant(connection, started.id),
      (t) => !busy(t),
      {
        ...options,
        what: `tenant ${started.id}'s ${started.operation?.kind ?? "operation"}`,
      },
    );
  } catch (error) {
    if (options.gone === true && error instanceof CliError && error.code === "not_found") return "gone";
    throw error;
  }
  const failed =
    final.state === "failed" ||
    final.operation?.state === "failed" ||
    (final.lastError !== null && Date.parse(final.lastError.at) >= since);
  if (failed) {
    const why =
      final.lastError === null ? formatOperation(final) : `${final.lastError.code}: ${final.lastError.message}`;
    throw new CliError(EXIT.waitFailed, "operation_failed", `tenant ${final.id} is ${final.state}: ${why}`, {
      result: final,
    });
  }
  return final;
}
