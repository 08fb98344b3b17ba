import type { CanaryHealthView, RolloutView } from "../../../../platform/tenants-api";
import { CsrfField, consolePath } from "../layout";
import { isMoving, PAUSE_REASONS, Progress, RolloutStateBadge } from "./rollout-display";
import { Badge, When } from "./tenant-display";

/** How often a rollout's page reads it again while it is under way. */
const REFRESH_MS = 2000;

const percent = (rate: number | null) => (rate === null ? "none (no requests)" : `${(rate * 100).toFixed(2)}%`);

function TenantLinks({ ids }: { ids: readonly string[] }) {
  return (
    <ul class="plain">
      {ids.map((id) => (
        <li>
          <a href={consolePath.tenant(id)}>{id}</a>
        </li>
      ))}
    </ul>
  );
}

function Failures({ failures, caption }: { failures: RolloutView["failures"]; caption: string }) {
  if (failures.length === 0) return null;
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {failures.map((failure) => (
            <tr>
              <th scope="row">
                <a href={consolePath.tenant(failure.tenantId)}>{failure.tenantId}</a>
              </th>
              <td>{failure.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What an operator can do with a rollout that waits. */
const PAUSED_NEXT =
  "Resume deploys the rest of the tenants; Roll back returns the canary tenants to the code they had.";

/** What the rollout does after its canary: pause for a resume, or judge the error rate and go on. */
function CanaryPolicy({ rollout }: { rollout: RolloutView }) {
  if (rollout.canary.count === 0) return <p>No canary: every tenant at once.</p>;
  return rollout.autoResume ? (
    <p>Pauses after its canary, watches the canary tenants' error rate, and goes on by itself if it did not rise.</p>
  ) : (
    <p>Pauses after its canary until someone resumes it.</p>
  );
}

function Health({ health }: { health: CanaryHealthView }) {
  const row = (name: string, window: CanaryHealthView["before"]) => (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <When at={window.from} /> to <When at={window.to} />
      </td>
      <td class="number">{window.requests}</td>
      <td class="number">{window.errors}</td>
      <td class="number">{percent(window.rate)}</td>
    </tr>
  );
  const tone = health.verdict === "healthy" ? "ok" : health.verdict === "error_rate_rose" ? "bad" : "warn";
  return (
    <>
      <p>
        Verdict <Badge tone={tone}>{health.verdict.replaceAll("_", " ")}</Badge>, judged <When at={health.judgedAt} />.
        The error rate rose if it is above the rate before by more than {percent(health.tolerance)}.
      </p>
      <div class="table-wrap">
        <table>
          <caption>The canary tenants' requests through the dispatcher, before and after their deploy</caption>
          <thead>
            <tr>
              <th scope="col">Window</th>
              <th scope="col">From, to</th>
              <th scope="col">Requests</th>
              <th scope="col">Errors</th>
              <th scope="col">Error rate</th>
            </tr>
          </thead>
          <tbody>
            {row("Before", health.before)}
            {row("After", health.after)}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Canary({ rollout }: { rollout: RolloutView }) {
  const { canary, paused } = rollout;
  const more = canary.count - canary.tenants.length;
  return (
    <section aria-labelledby="canary-heading">
      <h2 id="canary-heading">Canary</h2>
      <CanaryPolicy rollout={rollout} />
      {paused !== null && (
        <p class="notice" role="status">
          Paused: {PAUSE_REASONS[paused.reason]}
          {paused.until !== null && (
            <>
              {" "}
              until <When at={paused.until} />
            </>
          )}
          . {paused.reason === "observing" ? "It goes on by itself if the error rate did not rise." : PAUSED_NEXT}
        </p>
      )}
      {canary.count > 0 && (
        <>
          <Progress counts={canary} total={canary.count} label="Canary tenants done" />
          <TenantLinks ids={canary.tenants} />
          {more > 0 && <p class="muted">and {more} more</p>}
        </>
      )}
      {rollout.health !== null && <Health health={rollout.health} />}
    </section>
  );
}

function Rollback({ rollback }: { rollback: NonNullable<RolloutView["rollback"]> }) {
  const total = rollback.succeeded + rollback.failed + rollback.pending;
  return (
    <section aria-labelledby="rollback-heading">
      <h2 id="rollback-heading">Rollback</h2>
      <Progress counts={rollback} total={total} label="Tenants rolled back" />
      <p>{rollback.skipped} tenant(s) the rollout never reached keep their code.</p>
      <Failures failures={rollback.failures} caption="Tenants whose rollback failed" />
    </section>
  );
}

/** The POST forms of what the rollout's state allows, each through /v1. */
function Actions({ rollout }: { rollout: RolloutView }) {
  const canResume = rollout.state === "paused";
  const canRollBack = ["running", "paused", "completed", "failed"].includes(rollout.state);
  if (!canResume && !canRollBack) return null;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {canResume && (
        <form method="post" action={consolePath.resumeRollout(rollout.id)}>
          <CsrfField />
          <p class="hint">Deploys the rest of the tenants, ten at a time.</p>
          <button type="submit">Resume</button>
        </form>
      )}
      {canRollBack && (
        <form method="post" action={consolePath.rollBackRollout(rollout.id)}>
          <CsrfField />
          <p class="hint">
            Stops deploying and returns every tenant the rollout reached to the version it had; tenants' data is not
            touched.
          </p>
          <button type="submit" class="danger">
            Roll back
          </button>
        </form>
      )}
    </section>
  );
}

/** A rollout's page: everything /v1's view has, refreshed while it is under way. */
export function RolloutDetail({ rollout }: { rollout: RolloutView }) {
  return (
    <div id="rollout" data-refresh-ms={isMoving(rollout) ? String(REFRESH_MS) : undefined}>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <RolloutStateBadge state={rollout.state} />
        </dd>
        <dt>Phase</dt>
        <dd>{rollout.phase}</dd>
        <dt>Id</dt>
        <dd class="mono">{rollout.id}</dd>
        <dt>Created</dt>
        <dd>
          <When at={rollout.createdAt} />
        </dd>
        <dt>Last change</dt>
        <dd>
          <When at={rollout.updatedAt} />
        </dd>
      </dl>
      <h2>Progress</h2>
      <Progress counts={rollout} total={rollout.total} label="Tenants deployed" />
      <Failures failures={rollout.failures} caption="Tenants whose deploy failed" />
      <Canary rollout={rollout} />
      {rollout.rollback !== null && <Rollback rollback={rollout.rollback} />}
      <Actions rollout={rollout} />
    </div>
  );
}
