import {
  type CustomHostnameView,
  type HostnameRecord,
  hasFailed,
  isLive,
} from "../../../../platform/custom-hostname-view";
import type { TenantView } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { Badge, When } from "./tenant-display";

/**
 * Every hostname of the tenant with its verification: a platform hostname is served at once; a
 * custom one (Cloudflare for SaaS) shows what the tenant must publish, and can be checked again.
 */
export function TenantHostnames({ tenant }: { tenant: TenantView }) {
  const custom = new Map(tenant.customHostnames.map((view) => [view.hostname, view]));
  const live = new Set(tenant.hostnames);
  const all = [...new Set([...tenant.hostnames, ...custom.keys(), ...(tenant.pending?.hostnames ?? [])])];
  return (
    <section aria-labelledby="hostnames-title">
      <h2 id="hostnames-title">Hostnames</h2>
      {all.length === 0 ? (
        <p class="muted">No hostnames.</p>
      ) : (
        <ul class="hostnames">
          {all.map((hostname) => {
            const view = custom.get(hostname);
            return (
              <li>
                <span class="mono">{hostname}</span>{" "}
                {view !== undefined ? (
                  <CustomHostname tenantId={tenant.id} view={view} />
                ) : live.has(hostname) ? (
                  <Badge tone="ok">routed</Badge>
                ) : (
                  <Badge tone="info">being added</Badge>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function CustomHostname({ tenantId, view }: { tenantId: string; view: CustomHostnameView }) {
  const records = [...(view.ownership === null ? [] : [view.ownership]), ...view.ssl.records];
  const verdict = isLive(view) ? "live" : hasFailed(view) ? "failed" : "pending";
  return (
    <>
      <Badge tone={verdict === "live" ? "ok" : verdict === "failed" ? "bad" : "warn"}>{verdict}</Badge>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          {view.status}; certificate {view.ssl.status}
        </dd>
        <dt>Checked</dt>
        <dd>
          <When at={view.checkedAt} />
        </dd>
        <dt>Live since</dt>
        <dd>
          <When at={view.liveAt} />
        </dd>
        {view.errors.length > 0 && (
          <>
            <dt>Why not yet</dt>
            <dd>{view.errors.join("; ")}</dd>
          </>
        )}
      </dl>
      {records.length > 0 && verdict !== "live" && <RecordsTable hostname={view.hostname} records={records} />}
      {verdict !== "live" && (
        <form method="post" action={consolePath.checkHostname(tenantId, view.hostname)}>
          <CsrfField />
          <button type="submit" class="secondary">
            Check {view.hostname} now
          </button>
        </form>
      )}
    </>
  );
}

function RecordsTable({ hostname, records }: { hostname: string; records: HostnameRecord[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>What the tenant must publish for {hostname}</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Name or URL</th>
            <th scope="col">Value or body</th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) =>
            record.type === "txt" ? (
              <tr>
                <td>TXT</td>
                <td class="mono">{record.name}</td>
                <td class="mono">{record.value}</td>
              </tr>
            ) : (
              <tr>
                <td>HTTP</td>
                <td class="mono">{record.url}</td>
                <td class="mono">{record.body}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
