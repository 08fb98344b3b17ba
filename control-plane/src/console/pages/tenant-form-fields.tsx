import type { Child } from "hono/jsx";
import { PlanName } from "../../../../platform/plans";
import type { FormProblem } from "./tenant-form-input";

/**
 * The tenant forms' inputs: each labelled, its hint and its problems tied to it
 * (aria-describedby), marked invalid when the API or the form refused its value.
 */

type FieldProps = {
  /** The input's name, which is also its id: one form of each field per page. */
  name: string;
  label: string;
  hint?: string;
  problem?: FormProblem | undefined;
  children: (attributes: InputAttributes) => Child;
};

export type InputAttributes = {
  id: string;
  name: string;
  "aria-invalid"?: "true";
  "aria-describedby"?: string;
};

export function Field({ name, label, hint, problem, children }: FieldProps) {
  const errors = problem?.fields[name] ?? [];
  const described = [hint === undefined ? [] : [`${name}-hint`], errors.length === 0 ? [] : [`${name}-error`]].flat();
  return (
    <div class="field">
      <label for={name}>{label}</label>
      {children({
        id: name,
        name,
        ...(errors.length === 0 ? {} : { "aria-invalid": "true" }),
        ...(described.length === 0 ? {} : { "aria-describedby": described.join(" ") }),
      })}
      {hint !== undefined && (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
      {errors.length > 0 && (
        <div id={`${name}-error`}>
          {errors.map((message) => (
            <p class="field-error">{message}</p>
          ))}
        </div>
      )}
    </div>
  );
}

/** The API's or the form's refusal, at the top of the form it concerns. */
export function ProblemNotice({ problem }: { problem: FormProblem | undefined }) {
  if (problem === undefined) return null;
  return (
    <p class="notice error" role="alert">
      {problem.message}
    </p>
  );
}

/** The platform's plans (platform/plans.ts), one option each. */
export function PlanSelect({ value, problem }: { value: string; problem?: FormProblem | undefined }) {
  return (
    <Field name="plan" label="Plan" problem={problem}>
      {(attributes) => (
        <select {...attributes}>
          {PlanName.options.map((plan) => (
            <option value={plan} selected={plan === value}>
              {plan}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export type UploadValues = { mainModule: string; compatibilityDate: string };

/** Code to upload: the files (a form with these must be multipart/form-data), its main module, its date. */
export function UploadFields({ values, problem }: { values: UploadValues; problem?: FormProblem | undefined }) {
  return (
    <>
      <Field
        name="bundle"
        label="Bundle"
        hint="One ES module (.js), or several modules with their .wasm, .txt or .html files. Browsers do not keep a chosen file when a form comes back: choose it again then."
        problem={problem}
      >
        {(attributes) => (
          <input type="file" multiple accept=".js,.mjs,.cjs,.txt,.html,.map,.wasm,.bin" {...attributes} />
        )}
      </Field>
      <Field
        name="mainModule"
        label="Main module (optional)"
        hint="The file the Worker starts from, when there are several; by default the only .js file, or index.js."
        problem={problem}
      >
        {(attributes) => <input type="text" autocomplete="off" value={values.mainModule} {...attributes} />}
      </Field>
      <Field
        name="compatibilityDate"
        label="Compatibility date (optional)"
        hint="YYYY-MM-DD; by default the platform's."
        problem={problem}
      >
        {(attributes) => (
          <input
            type="text"
            autocomplete="off"
            placeholder="YYYY-MM-DD"
            value={values.compatibilityDate}
            {...attributes}
          />
        )}
      </Field>
    </>
  );
}
