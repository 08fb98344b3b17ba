import type { TenantView } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { Field, PlanSelect, ProblemNotice, UploadFields, type UploadValues } from "./tenant-form-fields";
import { assignmentsText, type FormProblem } from "./tenant-form-input";

/** The forms of the edit page, each posted to it with its `action`. */
export const EDIT_ACTIONS = ["settings", "suspend", "resume", "put-secret", "delete-secret", "deploy"] as const;
export type EditAction = (typeof EDIT_ACTIONS)[number];

export const isEditAction = (action: string): action is EditAction =>
  (EDIT_ACTIONS as readonly string[]).includes(action);

export type SettingsValues = { plan: string; hostnames: string; vars: string };

/** What a form typed, shown again with its problem (never a secret's value). */
export type EditValues = {
  settings?: SettingsValues;
  secretName?: string;
  upload?: UploadValues & { message: string };
};

/** The tenant's settings as they will be once what is pending is live; its own hostname is implied, not listed. */
export function settingsOf(tenant: TenantView, ownHostname: string): SettingsValues {
  const hostnames = tenant.pending?.hostnames ?? tenant.hostnames;
  return {
    plan: tenant.pending?.plan ?? tenant.plan,
    hostnames: hostnames.filter((hostname) => hostname !== ownHostname).join("\n"),
    vars: assignmentsText(tenant.pending?.vars ?? tenant.vars),
  };
}

type EditPageProps = {
  tenant: TenantView;
  ownHostname: string;
  /** The form that was refused, with why and what it had. */
  refused?: { action: EditAction; problem: FormProblem; values: EditValues } | undefined;
};

export function EditTenantPage({ tenant, ownHostname, refused }: EditPageProps) {
  const problemOf = (...actions: EditAction[]) =>
    refused !== undefined && actions.includes(refused.action) ? refused.problem : undefined;
  const action = consolePath.editTenant(tenant.id);
  const suspended = tenant.pending?.suspended ?? tenant.state === "suspended";
  const upload = refused?.values.upload ?? { mainModule: "", compatibilityDate: "", message: "" };
  return (
    <>
      <p>
        <a href={consolePath.tenant(tenant.id)}>Back to {tenant.id}</a>
      </p>
      <section aria-labelledby="settings-heading">
        <h2 id="settings-heading">Plan, hostnames and vars</h2>
        <SettingsForm
          action={action}
          values={refused?.values.settings ?? settingsOf(tenant, ownHostname)}
          ownHostname={ownHostname}
          problem={problemOf("settings")}
        />
      </section>
      <section aria-labelledby="suspension-heading">
        <h2 id="suspension-heading">{suspended ? "Resume" : "Suspend"}</h2>
        <form method="post" action={action}>
          <CsrfField />
          <ProblemNotice problem={problemOf("suspend", "resume")} />
          <p class="hint">
            {suspended
              ? "The tenant is suspended: its hostnames do not serve its Worker. Resuming serves it again."
              : "Suspending stops its hostnames serving its Worker; its resources, code and data are kept."}
          </p>
          <input type="hidden" name="action" value={suspended ? "resume" : "suspend"} />
          <button type="submit" class={suspended ? undefined : "danger"}>
            {suspended ? "Resume the tenant" : "Suspend the tenant"}
          </button>
        </form>
      </section>
      <section aria-labelledby="secrets-heading">
        <h2 id="secrets-heading">Secrets</h2>
        <SecretsForms
          action={action}
          names={tenant.secrets}
          typedName={refused?.values.secretName ?? ""}
          problem={problemOf("put-secret", "delete-secret")}
        />
      </section>
      <section aria-labelledby="deploy-heading">
        <h2 id="deploy-heading">Deploy new code</h2>
        <form method="post" action={action} enctype="multipart/form-data">
          <CsrfField />
          <input type="hidden" name="action" value="deploy" />
          <ProblemNotice problem={problemOf("deploy")} />
          <UploadFields values={upload} problem={problemOf("deploy")} />
          <Field name="message" label="Version message (optional)" problem={problemOf("deploy")}>
            {(attributes) => <input type="text" maxlength={100} value={upload.message} {...attributes} />}
          </Field>
          <button type="submit">Upload and deploy</button>
        </form>
      </section>
      <p>
        <a href={consolePath.deleteTenant(tenant.id)}>Delete this tenant…</a>
      </p>
    </>
  );
}

type SettingsFormProps = {
  action: string;
  values: SettingsValues;
  ownHostname: string;
  problem?: FormProblem | undefined;
};

function SettingsForm({ action, values, ownHostname, problem }: SettingsFormProps) {
  return (
    <form method="post" action={action}>
      <CsrfField />
      <input type="hidden" name="action" value="settings" />
      <ProblemNotice problem={problem} />
      <PlanSelect value={values.plan} problem={problem} />
      <Field
        name="hostnames"
        label="Hostnames"
        hint={`One a line; the whole list. ${ownHostname} is always kept.`}
        problem={problem}
      >
        {(attributes) => (
          <textarea rows={3} {...attributes}>
            {values.hostnames}
          </textarea>
        )}
      </Field>
      <Field name="vars" label="Vars" hint="NAME=value, one a line; the whole list." problem={problem}>
        {(attributes) => (
          <textarea rows={4} {...attributes}>
            {values.vars}
          </textarea>
        )}
      </Field>
      <button type="submit">Save changes</button>
    </form>
  );
}

type SecretsFormsProps = { action: string; names: string[]; typedName: string; problem?: FormProblem | undefined };

/** The secrets by name (values are never read back), each with its delete button, and a form to set one. */
function SecretsForms({ action, names, typedName, problem }: SecretsFormsProps) {
  return (
    <>
      <ProblemNotice problem={problem} />
      {names.length === 0 ? (
        <p class="muted">No secrets.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {names.map((name) => (
                <tr>
                  <th scope="row" class="mono">
                    {name}
                  </th>
                  <td>
                    <form method="post" action={action} class="inline">
                      <CsrfField />
                      <input type="hidden" name="action" value="delete-secret" />
                      <input type="hidden" name="secretName" value={name} />
                      <button type="submit" class="secondary" aria-label={`Delete the secret ${name}`}>
                        Delete
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form method="post" action={action}>
        <CsrfField />
        <input type="hidden" name="action" value="put-secret" />
        <Field
          name="secretName"
          label="Name"
          hint="A new name adds a secret; an existing one replaces its value."
          problem={problem}
        >
          {(attributes) => <input type="text" autocomplete="off" required value={typedName} {...attributes} />}
        </Field>
        <Field name="secretValue" label="Value" hint="Never shown again, here or anywhere." problem={problem}>
          {(attributes) => <input type="password" autocomplete="new-password" required {...attributes} />}
        </Field>
        <button type="submit">Set the secret</button>
      </form>
    </>
  );
}
