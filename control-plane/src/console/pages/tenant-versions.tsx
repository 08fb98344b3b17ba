import type { Child } from "hono/jsx";
import type { VersionList, VersionView } from "../../../../platform/tenants-api";
import type { ApiResult } from "../api";
import { CsrfField, consolePath } from "../layout";
import { Badge, When } from "./tenant-display";
import { BUSY_REFRESH_MS } from "./tenant-facts";

/** The query parameter of the page that names where the versions' page starts (the API's cursor). */
export const VERSIONS_CURSOR = "versions";

/**
 * The tenant's versions, newest first: which share the traffic, each one's preview, and the
 * buttons to deploy one to all the traffic or roll the leading one back to the deployment before.
 */
export function TenantVersions({
  tenantId,
  result,
  busy,
}: {
  tenantId: string;
  result: ApiResult<VersionList>;
  busy: boolean;
}) {
  if (!result.ok) {
    return (
      <VersionsSection busy={busy}>
        <p class="muted">{result.error.status === 404 ? "None." : `Not available: ${result.error.message}`}</p>
      </VersionsSection>
    );
  }
  const { versions, cursor } = result.value;
  const leading = Math.max(0, ...versions.map((version) => version.percentage));
  // A tenant's one version has no deployment before it to roll back to.
  const onlyVersion = versions.length === 1 && cursor === null;
  return (
    <VersionsSection busy={busy}>
      {versions.length === 0 ? (
        <p class="muted">No versions yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Traffic</th>
                <th scope="col">Message</th>
                <th scope="col">By</th>
                <th scope="col">Created</th>
                <th scope="col">Preview</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((version) => (
                <tr>
                  <th scope="row">
                    {`#${version.number}`} <span class="mono muted">{version.id.slice(0, 8)}</span>
                  </th>
                  <td>
                    {version.percentage > 0 ? (
                      <Badge tone="ok">{`${version.percentage}%`}</Badge>
                    ) : (
                      <span class="muted">0%</span>
                    )}
                  </td>
                  <td>{version.message}</td>
                  <td>{version.createdBy}</td>
                  <td>
                    <When at={version.createdAt} />
                  </td>
                  <td>
                    {version.previewUrl === null ? (
                      <span class="muted">not deployed</span>
                    ) : (
                      <a href={version.previewUrl} rel="noreferrer">
                        Preview #{version.number}
                      </a>
                    )}
                  </td>
                  <td>
                    <VersionActions
                      tenantId={tenantId}
                      version={version}
                      leads={version.percentage > 0 && version.percentage === leading && !onlyVersion}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor !== null && (
        <p class="pager">
          <a href={`${consolePath.tenant(tenantId)}?${VERSIONS_CURSOR}=${cursor}#versions-title`}>Older versions</a>
        </p>
      )}
    </VersionsSection>
  );
}

/** While the tenant is busy (a deployment running, say) the section re-reads itself: shares move when it ends. */
const VersionsSection = ({ busy, children }: { busy: boolean; children: Child }) => (
  <section
    id="tenant-versions"
    aria-labelledby="versions-title"
    data-refresh-ms={busy ? String(BUSY_REFRESH_MS) : undefined}
  >
    <h2 id="versions-title">Versions</h2>
    {children}
  </section>
);

function VersionActions({ tenantId, version, leads }: { tenantId: string; version: VersionView; leads: boolean }) {
  return (
    <>
      {version.percentage < 100 && (
        <form method="post" action={consolePath.deployVersion(tenantId, version.id)} class="inline">
          <CsrfField />
          <button type="submit" class="secondary">
            Deploy #{version.number}
          </button>
        </form>
      )}{" "}
      {leads && (
        <form method="post" action={consolePath.rollbackTenant(tenantId)} class="inline">
          <CsrfField />
          <button type="submit" class="secondary">
            Roll back #{version.number}
          </button>
        </form>
      )}
    </>
  );
}
