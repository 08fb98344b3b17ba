import type { ApiError } from "../api";
import { CsrfField } from "../layout";

/** What the API said to a form of the tenant's page, and where the same form posts (to send it again, forced). */
export type Refusal = { error: ApiError; action: string };

/** The form field that asks /v1 to deploy a version whose secrets differ from the latest version's (its `force`). */
export const FORCE_FIELD = "force";

/**
 * The API's refusal, above the page. A deployment refused because the version's secrets differ
 * from the latest version's (`secrets_changed`) can be sent again with `force`: the version then
 * runs with its own secrets, which the operator confirms by pressing the button.
 */
export function RefusalNotice({ refusal }: { refusal: Refusal }) {
  return (
    <div class="notice error" role="alert">
      <p>Nothing was changed: {refusal.error.message}</p>
      {refusal.error.code === "secrets_changed" && (
        <form method="post" action={refusal.action}>
          <CsrfField />
          <input type="hidden" name={FORCE_FIELD} value="true" />
          <button type="submit" class="danger">
            Deploy it anyway, with its own secrets
          </button>
        </form>
      )}
    </div>
  );
}
