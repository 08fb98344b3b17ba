import { parseCanarySize } from "../../../../platform/canary-size";
import { PlanName } from "../../../../platform/plans";
import type { CreateRolloutRequest } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { Field, ProblemNotice, UploadFields } from "./tenant-form-fields";
import {
  type DetailTarget,
  type FormProblem,
  filesOf,
  formProblem,
  linesOf,
  scriptOfFiles,
  textOf,
} from "./tenant-form-input";

/** What the start form shows again after a refusal (never the files: browsers do not keep them). */
export type StartValues = {
  mainModule: string;
  compatibilityDate: string;
  plan: string;
  tenants: string;
  canary: string;
  autoResume: boolean;
};

export const EMPTY_START: StartValues = {
  mainModule: "",
  compatibilityDate: "",
  plan: "",
  tenants: "",
  canary: "10%",
  autoResume: false,
};

export type StartForm = { values: StartValues } & (
  | { ok: true; request: CreateRolloutRequest }
  | { ok: false; problem: FormProblem }
);

/** The posted form as /v1's POST /v1/rollouts body; /v1 checks every value itself. */
export async function readStartForm(form: FormData): Promise<StartForm> {
  const values: StartValues = {
    mainModule: textOf(form, "mainModule"),
    compatibilityDate: textOf(form, "compatibilityDate"),
    plan: textOf(form, "plan"),
    tenants: textOf(form, "tenants"),
    canary: textOf(form, "canary"),
    autoResume: textOf(form, "autoResume") === "on",
  };
  const fields: FormProblem["fields"] = {};
  const files = filesOf(form, "bundle");
  if (files.length === 0) fields.bundle = ["choose the code to roll out"];
  const canary = parseCanarySize(values.canary);
  if (!canary.ok) fields.canary = [`the canary ${canary.problem}`];
  const script =
    files.length === 0 ? undefined : await scriptOfFiles(files, values.mainModule, values.compatibilityDate);
  if (script !== undefined && !script.ok) fields.bundle = script.problems;
  if (Object.keys(fields).length > 0 || script === undefined || !script.ok || !canary.ok) {
    return { ok: false, values, problem: formProblem(fields) };
  }
  const tenants = linesOf(values.tenants);
  const filter = {
    ...(values.plan === "" ? {} : { plan: values.plan as PlanName }),
    ...(tenants.length === 0 ? {} : { tenants }),
  };
  return {
    ok: true,
    values,
    request: { script: script.script, filter, canary: canary.size, autoResume: values.autoResume },
  };
}

/** The input a detail of /v1's refusal names (`script.mainModule`, `filter.tenants.2`, `canary.tenants`). */
export function startTargetOf(path: string[]): DetailTarget {
  const [root, field, index] = path;
  if (root === "script") {
    if (field === "mainModule" || field === "compatibilityDate") return { field };
    return { field: "bundle" };
  }
  if (root === "filter" && field === "plan") return { field: "plan" };
  if (root === "filter" && field === "tenants") {
    return { field: "tenants", subject: index === undefined ? undefined : `line ${Number(index) + 1}` };
  }
  if (root === "canary") return { field: "canary" };
  return undefined;
}

/** The form to start a rollout: the code, which tenants, the canary and whether it goes on by itself. */
export function StartRollout({ values, problem }: { values: StartValues; problem?: FormProblem | undefined }) {
  return (
    <section aria-labelledby="start-heading">
      <h2 id="start-heading">Start a rollout</h2>
      <ProblemNotice problem={problem} />
      <form method="post" action={consolePath.rollouts} enctype="multipart/form-data">
        <CsrfField />
        <UploadFields values={values} problem={problem} />
        <Field
          name="plan"
          label="Tenants on plan"
          hint="Every active or suspended tenant of this plan."
          problem={problem}
        >
          {(attributes) => (
            <select {...attributes}>
              <option value="">any plan</option>
              {PlanName.options.map((plan) => (
                <option value={plan} selected={plan === values.plan}>
                  {plan}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          name="tenants"
          label="Only these tenants (optional)"
          hint="One tenant id a line; empty: every tenant the plan selects."
          problem={problem}
        >
          {(attributes) => <textarea {...attributes}>{values.tenants}</textarea>}
        </Field>
        <Field
          name="canary"
          label="Canary"
          hint="A number of tenants (0: none, every tenant at once) or a percentage of them (10%), deployed first; the rollout then pauses."
          problem={problem}
        >
          {(attributes) => <input type="text" autocomplete="off" value={values.canary} {...attributes} />}
        </Field>
        <div class="field">
          <input type="checkbox" id="autoResume" name="autoResume" checked={values.autoResume} />{" "}
          <label class="inline" for="autoResume">
            Go on after the canary by itself if its error rate did not rise
          </label>
        </div>
        <p>
          <button type="submit">Start the rollout</button>
        </p>
      </form>
      <p class="hint">
        Or from a Worker's folder with the CLI, which bundles it as <code>wrangler deploy</code> does:{" "}
        <code>npx wfp rollout ./my-worker --canary 10% --plan pro --auto-resume</code>
      </p>
    </section>
  );
}
