import { TenantView } from "../../../../platform/tenants-api";
import type { ApiResult, ConsoleApi } from "../api";
import type { NoticeKey } from "../notices";
import { type EditAction, type EditValues, settingsOf } from "./tenant-form-edit";
import {
  assignmentsOf,
  type DetailTarget,
  type FormProblem,
  filesOf,
  formProblem,
  linesOf,
  problemOfApi,
  scriptOfFiles,
  textOf,
} from "./tenant-form-input";

export type EditOutcome = { ok: true; notice: NoticeKey } | { ok: false; problem: FormProblem; values: EditValues };

/** What the edit page's forms send to /v1: each action, its request, and where a refusal shows. */
export async function submitEdit(
  api: ConsoleApi,
  tenant: TenantView,
  ownHostname: string,
  action: EditAction,
  form: FormData,
): Promise<EditOutcome> {
  const tenantPath = `/v1/tenants/${encodeURIComponent(tenant.id)}`;
  switch (action) {
    case "settings":
      return submitSettings(api, tenantPath, tenant, ownHostname, form);
    case "suspend":
    case "resume": {
      const result = await api.call("PATCH", tenantPath, TenantView, { suspended: action === "suspend" });
      return outcome(result, action === "suspend" ? "suspended" : "resumed", {}, () => undefined);
    }
    case "put-secret": {
      const name = textOf(form, "secretName").trim();
      const value = textOf(form, "secretValue");
      const values = { secretName: name };
      if (name === "") return { ok: false, problem: formProblem({ secretName: ["give the secret a name"] }), values };
      if (value === "")
        return { ok: false, problem: formProblem({ secretValue: ["give the secret a value"] }), values };
      const path = `${tenantPath}/secrets/${encodeURIComponent(name)}`;
      const result = await api.call("PUT", path, TenantView, { value });
      return outcome(result, "secret-put", values, secretTarget, { conflict: "secretName", not_found: "secretName" });
    }
    case "delete-secret": {
      const name = textOf(form, "secretName");
      const path = `${tenantPath}/secrets/${encodeURIComponent(name)}`;
      return outcome(await api.call("DELETE", path, TenantView), "secret-deleted", {}, () => undefined);
    }
    case "deploy":
      return submitDeploy(api, tenantPath, form);
  }
}

async function submitSettings(
  api: ConsoleApi,
  tenantPath: string,
  tenant: TenantView,
  ownHostname: string,
  form: FormData,
): Promise<EditOutcome> {
  const typed = { plan: textOf(form, "plan"), hostnames: textOf(form, "hostnames"), vars: textOf(form, "vars") };
  const values = { settings: typed };
  const vars = assignmentsOf(typed.vars, false);
  if (vars.problems.length > 0) return { ok: false, problem: formProblem({ vars: vars.problems }), values };
  // Only what changed is sent: a plan change alone does not rewrite the tenant's routes.
  const current = settingsOf(tenant, ownHostname);
  const hostnames = linesOf(typed.hostnames);
  const change = {
    ...(typed.plan === current.plan ? {} : { plan: typed.plan }),
    ...(sameList(hostnames, linesOf(current.hostnames)) ? {} : { hostnames }),
    ...(sameRecord(vars.values, assignmentsOf(current.vars, false).values) ? {} : { vars: vars.values }),
  };
  const result = await api.call("PATCH", tenantPath, TenantView, change);
  return outcome(result, "updated", values, (path) => settingsTarget(path, hostnames), { hostname_taken: "hostnames" });
}

async function submitDeploy(api: ConsoleApi, tenantPath: string, form: FormData): Promise<EditOutcome> {
  const upload = {
    mainModule: textOf(form, "mainModule"),
    compatibilityDate: textOf(form, "compatibilityDate"),
    message: textOf(form, "message").trim(),
  };
  const values = { upload };
  const files = filesOf(form, "bundle");
  if (files.length === 0)
    return { ok: false, problem: formProblem({ bundle: ["choose the file(s) to deploy"] }), values };
  const uploaded = await scriptOfFiles(files, upload.mainModule, upload.compatibilityDate);
  if (!uploaded.ok) return { ok: false, problem: formProblem({ bundle: uploaded.problems }), values };
  const body = { ...uploaded.script, ...(upload.message === "" ? {} : { message: upload.message }) };
  const result = await api.call("PUT", `${tenantPath}/script`, TenantView, body);
  return outcome(result, "deployed", values, deployTarget, { script_rejected: "bundle", conflict: "bundle" });
}

function outcome(
  result: ApiResult<unknown>,
  notice: NoticeKey,
  values: EditValues,
  targetOf: (path: string[]) => DetailTarget,
  codeField: Parameters<typeof problemOfApi>[2] = {},
): EditOutcome {
  if (result.ok) return { ok: true, notice };
  return { ok: false, problem: problemOfApi(result.error, targetOf, codeField), values };
}

function settingsTarget([field, key]: string[], hostnames: string[]): DetailTarget {
  if (field === "plan") return { field };
  if (field === "hostnames") return { field, subject: key === undefined ? undefined : hostnames[Number(key)] };
  if (field === "vars") return { field, subject: key };
  return undefined;
}

/** The secret's name is the route's parameter (`param.name`), its value the body's `value`. */
function secretTarget(path: string[]): DetailTarget {
  const field = path[0] === "param" ? path[1] : path[0];
  if (field === "name") return { field: "secretName" };
  if (field === "value") return { field: "secretValue" };
  return undefined;
}

function deployTarget(path: string[]): DetailTarget {
  if (path[0] === "message") return { field: "message" };
  return { field: "bundle", subject: path.join(".") };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const byName = ([a]: [string, string], [b]: [string, string]) => (a < b ? -1 : a > b ? 1 : 0);
const canonical = (record: Record<string, string>) => JSON.stringify(Object.entries(record).sort(byName));
const sameRecord = (a: Record<string, string>, b: Record<string, string>) => canonical(a) === canonical(b);
