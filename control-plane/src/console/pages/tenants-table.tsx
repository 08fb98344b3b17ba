import type { RequestCount } from "../../../../platform/request-metrics";
import type { TenantView } from "../../../../platform/tenants-api";
import { consolePath } from "../layout";
import { TenantStateBadge, When, WorkStateBadge } from "./tenant-display";

/** Each tenant's last hour, or why there is none to show. */
export type Traffic = { ok: true; counts: ReadonlyMap<string, RequestCount> } | { ok: false; reason: string };

/** Hostnames shown in a row; the tenant's page lists them all. */
const HOSTNAMES_SHOWN = 3;

function Hostnames({ hostnames }: { hostnames: readonly string[] }) {
  if (hostnames.length === 0) return <span class="muted">none</span>;
  const more = hostnames.length - HOSTNAMES_SHOWN;
  return (
    <ul class="plain">
      {hostnames.slice(0, HOSTNAMES_SHOWN).map((hostname) => (
        <li class="mono">{hostname}</li>
      ))}
      {more > 0 && <li class="muted">{`and ${more} more`}</li>}
    </ul>
  );
}

function LastOperation({ operation }: { operation: TenantView["operation"] }) {
  if (operation === null) return <span class="muted">none</span>;
  return (
    <>
      {`${operation.kind} `}
      <WorkStateBadge state={operation.state} />
      <br />
      <When at={operation.updatedAt} />
    </>
  );
}

function Counts({ traffic, id }: { traffic: Traffic; id: string }) {
  if (!traffic.ok) {
    return (
      <>
        <td class="muted">unavailable</td>
        <td class="muted">unavailable</td>
      </>
    );
  }
  const { requests, errors } = traffic.counts.get(id) ?? { requests: 0, errors: 0 };
  return (
    <>
      <td class="number">{requests.toLocaleString("en-US")}</td>
      <td class="number">{errors > 0 ? <span class="badge bad">{errors.toLocaleString("en-US")}</span> : "0"}</td>
    </>
  );
}

/** A page of tenants: one row each, linked to its page. */
export function TenantsTable({ tenants, traffic }: { tenants: readonly TenantView[]; traffic: Traffic }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>Tenants in id order; requests and errors of the last hour through the dispatcher</caption>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">State</th>
            <th scope="col">Plan</th>
            <th scope="col">Hostnames</th>
            <th scope="col">Last operation</th>
            <th scope="col" class="number">
              Requests (1 h)
            </th>
            <th scope="col" class="number">
              Errors (1 h)
            </th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((tenant) => (
            <tr>
              <th scope="row">
                <a href={consolePath.tenant(tenant.id)}>{tenant.id}</a>
              </th>
              <td>
                <TenantStateBadge state={tenant.state} />
              </td>
              <td>{tenant.plan}</td>
              <td>
                <Hostnames hostnames={tenant.hostnames} />
              </td>
              <td>
                <LastOperation operation={tenant.operation} />
              </td>
              <Counts traffic={traffic} id={tenant.id} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
