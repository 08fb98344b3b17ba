import type { TenantView } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { Field, ProblemNotice } from "./tenant-form-fields";
import type { FormProblem } from "./tenant-form-input";

/** What deleting the tenant removes, by id, and the field where the operator types its id to confirm. */
export function DeleteTenantPage({ tenant, problem }: { tenant: TenantView; problem?: FormProblem | undefined }) {
  const { kv, r2, d1 } = tenant.resources;
  const classes = tenant.script?.durableObjects.classes ?? [];
  return (
    <>
      <p>
        <a href={consolePath.tenant(tenant.id)}>Back to {tenant.id}</a>
      </p>
      <p>Deleting the tenant removes, for good:</p>
      <dl class="facts">
        <dt>Worker</dt>
        <dd class="mono">{tenant.script?.name ?? "none"}</dd>
        <dt>KV namespace</dt>
        <dd class="mono">{kv === null ? "none" : `${kv.id} (${kv.title})`}</dd>
        <dt>R2 bucket</dt>
        <dd class="mono">{r2 === null ? "none" : r2.name}</dd>
        <dt>D1 database</dt>
        <dd class="mono">{d1 === null ? "none" : `${d1.id} (${d1.name})`}</dd>
        <dt>Durable Object classes</dt>
        <dd class="mono">{classes.length === 0 ? "none" : `${classes.join(", ")}, with every object's data`}</dd>
        <dt>Hostnames</dt>
        <dd class="mono">{tenant.hostnames.join(", ") || "none"}</dd>
        <dt>Secrets</dt>
        <dd class="mono">{tenant.secrets.join(", ") || "none"}</dd>
      </dl>
      <form method="post" action={consolePath.deleteTenant(tenant.id)}>
        <CsrfField />
        <ProblemNotice problem={problem} />
        <Field name="confirm" label={`Type ${tenant.id} to confirm`} problem={problem}>
          {(attributes) => <input type="text" autocomplete="off" spellcheck={false} required {...attributes} />}
        </Field>
        <button type="submit" class="danger">
          Delete {tenant.id}
        </button>
      </form>
    </>
  );
}
