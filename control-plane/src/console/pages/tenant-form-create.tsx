import { PlanName } from "../../../../platform/plans";
import type { TenantScriptSource } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { Field, PlanSelect, ProblemNotice, UploadFields } from "./tenant-form-fields";
import {
  assignmentsOf,
  type DetailTarget,
  type FormProblem,
  filesOf,
  formProblem,
  linesOf,
  scriptOfFiles,
  textOf,
} from "./tenant-form-input";
import { templateScript } from "./tenant-form-template";

/** What the create form shows again after a refusal: everything typed but the secrets. */
export type CreateValues = {
  id: string;
  plan: string;
  hostnames: string;
  vars: string;
  code: "template" | "upload";
  mainModule: string;
  compatibilityDate: string;
};

export const EMPTY_CREATE: CreateValues = {
  id: "",
  plan: PlanName.enum.free,
  hostnames: "",
  vars: "",
  code: "template",
  mainModule: "",
  compatibilityDate: "",
};

export type CreateForm = { values: CreateValues; secretsGiven: boolean } & (
  | { ok: true; request: Record<string, unknown> & { hostnames: string[] } }
  | { ok: false; problem: FormProblem }
);

/**
 * The posted form as `POST /v1/tenants`' body, or what keeps it from being one (a line that is
 * not NAME=value, code to upload without a file). Values themselves are left to the API.
 */
export async function readCreateForm(form: FormData): Promise<CreateForm> {
  const values: CreateValues = {
    id: textOf(form, "id").trim(),
    plan: textOf(form, "plan"),
    hostnames: textOf(form, "hostnames"),
    vars: textOf(form, "vars"),
    code: textOf(form, "code") === "upload" ? "upload" : "template",
    mainModule: textOf(form, "mainModule"),
    compatibilityDate: textOf(form, "compatibilityDate"),
  };
  const vars = assignmentsOf(values.vars, false);
  const secrets = assignmentsOf(textOf(form, "secrets"), true);
  const secretsGiven = Object.keys(secrets.values).length > 0 || secrets.problems.length > 0;
  const fields: FormProblem["fields"] = {};
  if (vars.problems.length > 0) fields.vars = vars.problems;
  if (secrets.problems.length > 0) fields.secrets = secrets.problems;
  let script: TenantScriptSource | undefined;
  if (values.code === "upload") {
    const files = filesOf(form, "bundle");
    const uploaded =
      files.length === 0 ? null : await scriptOfFiles(files, values.mainModule, values.compatibilityDate);
    if (uploaded === null) fields.bundle = ["choose the Worker's file (an ES module .js) to upload"];
    else if (!uploaded.ok) fields.bundle = uploaded.problems;
    else script = uploaded.script;
  }
  if (Object.keys(fields).length > 0) return { values, secretsGiven, ok: false, problem: formProblem(fields) };
  script ??= await templateScript();
  const request = {
    id: values.id,
    plan: values.plan,
    hostnames: linesOf(values.hostnames),
    vars: vars.values,
    secrets: secrets.values,
    script,
  };
  return { values, secretsGiven, ok: true, request };
}

/** Where a detail of `POST /v1/tenants`' refusal goes: `hostnames.2` next to the hostnames, named. */
export function createTargetOf(hostnames: string[]) {
  return (path: string[]): DetailTarget => {
    const [field, key] = path;
    if (field === "id" || field === "plan") return { field };
    if (field === "hostnames") return { field, subject: key === undefined ? undefined : hostnames[Number(key)] };
    if (field === "vars" || field === "secrets") return { field, subject: key };
    if (field === "script") return { field: "bundle", subject: path.slice(1).join(".") || undefined };
    return undefined;
  };
}

type CreatePageProps = { values: CreateValues; problem?: FormProblem | undefined; secretsDropped?: boolean };

export function CreateTenantPage({ values, problem, secretsDropped = false }: CreatePageProps) {
  return (
    <form method="post" action={consolePath.newTenant} enctype="multipart/form-data">
      <CsrfField />
      <ProblemNotice problem={problem} />
      <Field
        name="id"
        label="Tenant id"
        hint="Lowercase letters, digits and inner hyphens: its hostname's first label."
        problem={problem}
      >
        {(attributes) => <input type="text" required autocomplete="off" value={values.id} {...attributes} />}
      </Field>
      <PlanSelect value={values.plan} problem={problem} />
      <Field
        name="hostnames"
        label="Hostnames (optional)"
        hint="One a line, besides its own <id> hostname: names under it, or the tenant's own domains."
        problem={problem}
      >
        {(attributes) => (
          <textarea rows={3} {...attributes}>
            {values.hostnames}
          </textarea>
        )}
      </Field>
      <Field name="vars" label="Vars (optional)" hint="NAME=value, one a line." problem={problem}>
        {(attributes) => (
          <textarea rows={4} {...attributes}>
            {values.vars}
          </textarea>
        )}
      </Field>
      <Field
        name="secrets"
        label="Secrets (optional)"
        hint="NAME=value, one a line. Their values are sent to the tenant's Worker and never shown again."
        problem={problem}
      >
        {(attributes) => <textarea rows={3} autocomplete="off" spellcheck={false} {...attributes} />}
      </Field>
      {secretsDropped && (
        <p class="notice" role="status">
          The secrets you typed were not kept: enter them again.
        </p>
      )}
      <fieldset>
        <legend>Code</legend>
        <div>
          <input type="radio" id="code-template" name="code" value="template" checked={values.code === "template"} />{" "}
          <label class="inline" for="code-template">
            The template (user-worker-template/, as <code>wfp deploy</code> bundles it); its /admin and writes need an
            API_TOKEN secret
          </label>
        </div>
        <div>
          <input type="radio" id="code-upload" name="code" value="upload" checked={values.code === "upload"} />{" "}
          <label class="inline" for="code-upload">
            An uploaded bundle
          </label>
        </div>
        <UploadFields values={values} problem={problem} />
      </fieldset>
      <button type="submit">Create the tenant</button>
    </form>
  );
}
