import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { tenantHostname } from "../../../../platform/routes";
import { TenantView } from "../../../../platform/tenants-api";
import { configOf } from "../../config";
import { consolePath } from "../layout";
import { withNotice } from "../notices";
import type { ConsoleEnv } from "../types";
import { CreateTenantPage, createTargetOf, EMPTY_CREATE, readCreateForm } from "./tenant-form-create";
import { DeleteTenantPage } from "./tenant-form-delete";
import { EditTenantPage, isEditAction } from "./tenant-form-edit";
import { submitEdit } from "./tenant-form-edit-submit";
import { type FormProblem, formProblem, problemOfApi, textOf } from "./tenant-form-input";

/**
 * Creating, changing and deleting a tenant: each form posts here, and each post is one call to /v1
 * through the console's API client; success sends the browser on (303) with a notice, a refusal
 * shows the form again with the API's message next to its field, with the API's status.
 */
export const tenantForms = new Hono<ConsoleEnv>()
  .get("/tenants/new", (c) => c.render(<CreateTenantPage values={EMPTY_CREATE} />, { title: "New tenant" }))
  .post("/tenants/new", async (c) => {
    const read = await readCreateForm(await c.req.formData());
    let problem: FormProblem;
    if (read.ok) {
      const result = await c.get("api").call("POST", "/v1/tenants", TenantView, read.request);
      if (result.ok) return c.redirect(withNotice(consolePath.tenant(result.value.id), "created"), 303);
      problem = problemOfApi(result.error, createTargetOf(read.request.hostnames), {
        script_rejected: "bundle",
        hostname_taken: "hostnames",
        conflict: "id",
      });
    } else problem = read.problem;
    c.status(problem.status as ContentfulStatusCode);
    // The secrets are not shown again: the form comes back with them empty, and says so.
    return c.render(<CreateTenantPage values={read.values} problem={problem} secretsDropped={read.secretsGiven} />, {
      title: "New tenant",
    });
  })
  .get("/tenants/:id/edit", async (c) => {
    const tenant = await liveTenant(c);
    return c.render(<EditTenantPage tenant={tenant} ownHostname={ownHostnameOf(c, tenant)} />, editTitle(tenant));
  })
  .post("/tenants/:id/edit", async (c) => {
    const form = await c.req.formData();
    const action = textOf(form, "action");
    if (!isEditAction(action))
      throw new HTTPException(400, { message: "This form asked for nothing the console does." });
    const tenant = await liveTenant(c);
    const ownHostname = ownHostnameOf(c, tenant);
    const outcome = await submitEdit(c.get("api"), tenant, ownHostname, action, form);
    if (outcome.ok) return c.redirect(withNotice(consolePath.tenant(tenant.id), outcome.notice), 303);
    c.status(outcome.problem.status as ContentfulStatusCode);
    const refused = { action, problem: outcome.problem, values: outcome.values };
    // Read again: the page shows the tenant as it is after the refusal.
    const now = await liveTenant(c);
    return c.render(<EditTenantPage tenant={now} ownHostname={ownHostname} refused={refused} />, editTitle(now));
  })
  .get("/tenants/:id/delete", async (c) => {
    const tenant = await liveTenant(c);
    return c.render(<DeleteTenantPage tenant={tenant} />, deleteTitle(tenant));
  })
  .post("/tenants/:id/delete", async (c) => {
    const tenant = await liveTenant(c);
    const typed = textOf(await c.req.formData(), "confirm").trim();
    let problem: FormProblem;
    if (typed !== tenant.id) {
      const fields = { confirm: [`type ${tenant.id} exactly to delete it`] };
      problem = formProblem(fields, "Nothing was deleted: the id typed is not the tenant's.");
    } else {
      const result = await c.get("api").call("DELETE", `/v1/tenants/${encodeURIComponent(tenant.id)}`, TenantView);
      if (result.ok) return c.redirect(withNotice(consolePath.tenants, "deleted"), 303);
      problem = problemOfApi(result.error, () => undefined);
    }
    c.status(problem.status as ContentfulStatusCode);
    return c.render(<DeleteTenantPage tenant={tenant} problem={problem} />, deleteTitle(tenant));
  });

const editTitle = (tenant: TenantView) => ({ title: `Change ${tenant.id}` });
const deleteTitle = (tenant: TenantView) => ({ title: `Delete ${tenant.id}` });

/** The tenant in the path, as /v1 has it; a tenant it does not have (or has deleted) is the API's refusal, as a page. */
async function liveTenant(c: Context<ConsoleEnv>): Promise<TenantView> {
  const id = c.req.param("id") ?? "";
  const result = await c.get("api").get(`/v1/tenants/${encodeURIComponent(id)}`, TenantView);
  if (!result.ok) {
    if (result.error.status < 500) {
      throw new HTTPException(result.error.status as ContentfulStatusCode, { message: result.error.message });
    }
    throw new Error(`GET /v1/tenants/${id}: ${result.error.status} ${result.error.message}`);
  }
  if (result.value.state === "deleted") throw new HTTPException(404, { message: `The tenant "${id}" is deleted.` });
  return result.value;
}

function ownHostnameOf(c: Context<ConsoleEnv>, tenant: TenantView): string {
  return tenantHostname(tenant.id, configOf(c.env).platformDomain);
}
