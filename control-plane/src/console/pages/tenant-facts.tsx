import type { TenantView } from "../../../../platform/tenants-api";
import { consolePath } from "../layout";
import { TenantStateBadge, When } from "./tenant-display";

/** How often a tenant that is changing is read again (the progressive script). */
export const BUSY_REFRESH_MS = 2000;

/** Whether the tenant is on its way somewhere: provisioning, deleting, or an operation queued or running. */
export function isBusy(tenant: TenantView): boolean {
  const working = tenant.operation !== null && ["queued", "running"].includes(tenant.operation.state);
  return working || tenant.state === "provisioning" || tenant.state === "deleting";
}

/** The tenant's state, plan, what waits, its last error, and the links to change or delete it. */
/** `follow`: the section re-reads itself (the tenant is busy, and this page is the tenant's own URL). */
export function TenantFacts({ tenant, follow }: { tenant: TenantView; follow: boolean }) {
  const gone = tenant.state === "deleted";
  return (
    <section
      id="tenant-facts"
      aria-labelledby="facts-title"
      data-refresh-ms={follow ? String(BUSY_REFRESH_MS) : undefined}
    >
      <h2 id="facts-title">Facts</h2>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <TenantStateBadge state={tenant.state} />
          {follow && <span class="muted"> (this section follows it)</span>}
        </dd>
        <dt>Plan</dt>
        <dd>{tenant.plan}</dd>
        <dt>Pending</dt>
        <dd>
          <Pending pending={tenant.pending} />
        </dd>
        <dt>Current operation</dt>
        <dd>
          {tenant.operation === null ? (
            <span class="muted">none</span>
          ) : (
            <>
              {tenant.operation.kind} <span class="mono">{tenant.operation.state}</span>
              {tenant.operation.step !== null && (
                <>
                  {" "}
                  at <span class="mono">{tenant.operation.step}</span>
                </>
              )}
            </>
          )}
        </dd>
        <dt>Last error</dt>
        <dd>
          {tenant.lastError === null ? (
            <span class="muted">none</span>
          ) : (
            <>
              <span class="mono">{tenant.lastError.code}</span>: {tenant.lastError.message} (
              <When at={tenant.lastError.at} />)
            </>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <When at={tenant.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <When at={tenant.updatedAt} />
        </dd>
      </dl>
      {!gone && (
        <p>
          <a class="button secondary" href={consolePath.editTenant(tenant.id)}>
            Change
          </a>{" "}
          <a class="button secondary" href={consolePath.deleteTenant(tenant.id)}>
            Delete…
          </a>
        </p>
      )}
    </section>
  );
}

function Pending({ pending }: { pending: TenantView["pending"] }) {
  if (pending === null) return <span class="muted">nothing</span>;
  const parts: string[] = [];
  if (pending.plan !== undefined) parts.push(`plan ${pending.plan}`);
  if (pending.suspended !== undefined) parts.push(pending.suspended ? "suspension" : "resumption");
  if (pending.vars !== undefined) parts.push(`vars (${Object.keys(pending.vars).join(", ") || "none"})`);
  if (pending.hostnames !== undefined) parts.push(`hostnames ${pending.hostnames.join(", ")}`);
  return <>{parts.join("; ")}</>;
}

/** Its KV namespace, R2 bucket and D1 database (with their ids), and its live script. */
export function TenantResources({ tenant }: { tenant: TenantView }) {
  const { kv, r2, d1 } = tenant.resources;
  const script = tenant.script;
  return (
    <section aria-labelledby="resources-title">
      <h2 id="resources-title">Resources</h2>
      <dl class="facts">
        <dt>KV namespace</dt>
        <dd>
          {kv === null ? (
            <span class="muted">none</span>
          ) : (
            <>
              {kv.title} <span class="mono">{kv.id}</span>
            </>
          )}
        </dd>
        <dt>R2 bucket</dt>
        <dd>{r2 === null ? <span class="muted">none</span> : <span class="mono">{r2.name}</span>}</dd>
        <dt>D1 database</dt>
        <dd>
          {d1 === null ? (
            <span class="muted">none</span>
          ) : (
            <>
              {d1.name} <span class="mono">{d1.id}</span>
            </>
          )}
        </dd>
      </dl>
      <h3>Script</h3>
      {script === null ? (
        <p class="muted">No script uploaded.</p>
      ) : (
        <dl class="facts">
          <dt>Name</dt>
          <dd class="mono">{script.name}</dd>
          <dt>Etag</dt>
          <dd class="mono">{script.etag ?? "none yet"}</dd>
          <dt>Uploaded</dt>
          <dd>
            <When at={script.uploadedAt} />
          </dd>
          <dt>Compatibility date</dt>
          <dd>{script.compatibilityDate}</dd>
          <dt>Cron triggers</dt>
          <dd>{script.crons.length === 0 ? <span class="muted">none</span> : <Codes items={script.crons} />}</dd>
          <dt>Durable Object classes</dt>
          <dd>
            {script.durableObjects.classes.length === 0 ? (
              <span class="muted">none</span>
            ) : (
              <Codes items={script.durableObjects.classes} />
            )}
          </dd>
          <dt>Durable Object bindings</dt>
          <dd>
            {Object.keys(script.durableObjects.bindings).length === 0 ? (
              <span class="muted">none</span>
            ) : (
              <Codes
                items={Object.entries(script.durableObjects.bindings).map(([binding, name]) => `${binding} → ${name}`)}
              />
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}

const Codes = ({ items }: { items: readonly string[] }) => (
  <>
    {items.map((item, index) => (
      <>
        {index > 0 && ", "}
        <code>{item}</code>
      </>
    ))}
  </>
);
