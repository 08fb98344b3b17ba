import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { CustomHostnameView } from "../../../../platform/custom-hostname-view";
import { LogPage } from "../../../../platform/tenant-logs";
import { OperationList, TenantView, VersionList } from "../../../../platform/tenants-api";
import type { ApiResult } from "../api";
import { consolePath } from "../layout";
import { type NoticeKey, withNotice } from "../notices";
import type { ConsoleEnv } from "../types";
import { TenantConfig } from "./tenant-config";
import { isBusy, TenantFacts, TenantResources } from "./tenant-facts";
import { TenantHostnames } from "./tenant-hostnames";
import { tenantLiveLogs } from "./tenant-live-logs";
import { LOGS_ON_PAGE, TenantLogs } from "./tenant-logs";
import { OPERATIONS_CURSOR, TenantOperations } from "./tenant-operations";
import { FORCE_FIELD, type Refusal, RefusalNotice } from "./tenant-refusal";
import { TenantTraffic } from "./tenant-traffic";
import { TenantVersions, VERSIONS_CURSOR } from "./tenant-versions";

type Ctx = Context<ConsoleEnv>;

const v1 = (id: string, suffix = "") => `/v1/tenants/${encodeURIComponent(id)}${suffix}`;

/** A cursor from the page's query, passed on to /v1 only if it looks like one (/v1 checks it again). */
function cursorQuery(c: Ctx, name: string): string {
  const cursor = c.req.query(name);
  return cursor !== undefined && /^[1-9][0-9]{0,15}$/.test(cursor) ? `&cursor=${cursor}` : "";
}

/**
 * A tenant's page: everything /v1 says of it, read at once; `refused` is the API's refusal of a
 * form just posted, shown above it with the API's status.
 */
async function tenantPage(c: Ctx, refused?: Refusal) {
  const id = c.req.param("id") ?? "";
  const api = c.get("api");
  const tenant = await api.get(v1(id), TenantView);
  if (!tenant.ok) {
    const missing = tenant.error.status === 404;
    c.status(tenant.error.status as ContentfulStatusCode);
    const text = missing ? `There is no tenant "${id}".` : tenant.error.message;
    return c.render(
      <>
        <p class="notice error" role="alert">
          {text}
        </p>
        <p>
          <a href={consolePath.tenants}>All tenants</a>
        </p>
      </>,
      { title: missing ? "No such tenant" : "Tenant unavailable" },
    );
  }
  const view = tenant.value;
  const gone = view.state === "deleted";
  const [operations, versions, logs] = await Promise.all([
    api.get(v1(id, `/operations?limit=10${cursorQuery(c, OPERATIONS_CURSOR)}`), OperationList),
    api.get(v1(id, `/versions?limit=20${cursorQuery(c, VERSIONS_CURSOR)}`), VersionList),
    gone ? null : api.get(v1(id, `/logs?limit=${LOGS_ON_PAGE}`), LogPage),
  ]);
  if (refused !== undefined) c.status(refused.error.status as ContentfulStatusCode);
  // Sections re-read the page's URL: a refusal is shown at the form's URL, which has no page to re-read.
  const follow = refused === undefined && isBusy(view);
  return c.render(
    <>
      {refused !== undefined && <RefusalNotice refusal={refused} />}
      <p>
        <a href={consolePath.tenants}>All tenants</a>
      </p>
      <TenantFacts tenant={view} follow={follow} />
      <TenantResources tenant={view} />
      <TenantHostnames tenant={view} />
      <TenantConfig tenant={view} />
      <TenantVersions tenantId={view.id} result={versions} busy={follow} />
      <TenantOperations tenantId={view.id} result={operations} busy={follow} />
      <section aria-labelledby="traffic-title">
        <h2 id="traffic-title">Traffic</h2>
        <TenantTraffic tenantId={view.id} />
      </section>
      <TenantLogs tenantId={view.id} result={logs} />
    </>,
    { title: `Tenant ${view.id}` },
  );
}

/** A form's call to /v1: on success back to the tenant's page with a notice, else the page with the API's refusal. */
async function acted(c: Ctx, result: ApiResult<unknown>, notice: NoticeKey) {
  if (result.ok) return c.redirect(withNotice(consolePath.tenant(c.req.param("id") ?? ""), notice), 303);
  return tenantPage(c, { error: result.error, action: new URL(c.req.url).pathname });
}

/** Whether the form asked to deploy even if the version's secrets differ (the refusal's second button). */
async function forced(c: Ctx): Promise<boolean> {
  return (await c.req.parseBody())[FORCE_FIELD] === "true";
}

/** The tenant's page and its buttons: check a hostname again, deploy a version, roll back. */
export const tenantPages = new Hono<ConsoleEnv>()
  .route("/", tenantLiveLogs)
  .get("/tenants/:id", (c) => tenantPage(c))
  .post("/tenants/:id/hostnames/:hostname/check", async (c) => {
    const { id, hostname } = c.req.param();
    const path = v1(id, `/custom-hostnames/${encodeURIComponent(hostname)}/check`);
    return acted(c, await c.get("api").call("POST", path, CustomHostnameView, {}), "hostname-checked");
  })
  .post("/tenants/:id/versions/:version/deploy", async (c) => {
    const { id, version } = c.req.param();
    const body = { versions: [{ id: version, percentage: 100 }], force: await forced(c) };
    return acted(c, await c.get("api").call("POST", v1(id, "/deployments"), TenantView, body), "version-deployed");
  })
  .post("/tenants/:id/rollback", async (c) => {
    const id = c.req.param("id");
    const body = { force: await forced(c) };
    return acted(c, await c.get("api").call("POST", v1(id, "/rollback"), TenantView, body), "rolled-back");
  });
