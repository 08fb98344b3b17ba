import type { OperationHistoryView, OperationList } from "../../../../platform/tenants-api";
import type { ApiResult } from "../api";
import { consolePath } from "../layout";
import { When, WorkStateBadge } from "./tenant-display";
import { BUSY_REFRESH_MS } from "./tenant-facts";

/** The query parameter of the page that names where the operations' page starts (the API's cursor). */
export const OPERATIONS_CURSOR = "operations";

/** The tenant's operations, newest first, each a timeline of its steps with their attempts and errors. */
export function TenantOperations({
  tenantId,
  result,
  busy,
}: {
  tenantId: string;
  result: ApiResult<OperationList>;
  busy: boolean;
}) {
  return (
    <section
      id="tenant-operations"
      aria-labelledby="operations-title"
      data-refresh-ms={busy ? String(BUSY_REFRESH_MS) : undefined}
    >
      <h2 id="operations-title">Operations</h2>
      {!result.ok ? (
        <p class="notice error">The operations could not be read: {result.error.message}</p>
      ) : result.value.operations.length === 0 ? (
        <p class="muted">No operations.</p>
      ) : (
        <>
          {result.value.operations.map((operation) => (
            <Operation operation={operation} />
          ))}
          {result.value.cursor !== null && (
            <p class="pager">
              <a href={`${consolePath.tenant(tenantId)}?${OPERATIONS_CURSOR}=${result.value.cursor}#operations-title`}>
                Older operations
              </a>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function Operation({ operation }: { operation: OperationHistoryView }) {
  return (
    <article class="operation" aria-label={`${operation.kind} operation ${operation.id}`}>
      <h3>
        {operation.kind} <WorkStateBadge state={operation.state} />{" "}
        <span class="muted">
          <When at={operation.createdAt} />
        </span>
      </h3>
      <p class="hint">
        <span class="mono">{operation.id}</span>
        {operation.rolloutId !== null && (
          <>
            {" "}
            · from rollout <a href={consolePath.rollout(operation.rolloutId)}>{operation.rolloutId}</a>
          </>
        )}
      </p>
      {operation.error !== null && (
        <p class="notice error">
          <span class="mono">{operation.error.code}</span>: {operation.error.message}
        </p>
      )}
      {operation.steps.length === 0 ? (
        <p class="muted">No step has run yet.</p>
      ) : (
        <ol class="timeline">
          {operation.steps.map((step) => (
            <li>
              <span class="mono">{step.name}</span> <WorkStateBadge state={step.state} />{" "}
              <span class="muted">
                {step.attempts === 1 ? "1 attempt" : `${step.attempts} attempts`}
                {step.startedAt !== null && (
                  <>
                    , started <When at={step.startedAt} />
                  </>
                )}
                {step.finishedAt !== null && (
                  <>
                    , ended <When at={step.finishedAt} />
                  </>
                )}
              </span>
              {step.lastError !== null && (
                <p class="step-error">
                  {step.state === "succeeded" ? "Failed before it succeeded: " : "Error: "}
                  <span class="mono">{step.lastError.code}</span> {step.lastError.message} (
                  <When at={step.lastError.at} />)
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}
