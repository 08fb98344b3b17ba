import type { RolloutList, RolloutSummary } from "../../../../platform/tenants-api";
import { consolePath } from "../layout";
import { isMoving, PAUSE_REASONS, Progress, RolloutStateBadge } from "./rollout-display";
import { When } from "./tenant-display";

/** How often the list reads itself again while a rollout on it is under way. */
const REFRESH_MS = 3000;

function Row({ rollout }: { rollout: RolloutSummary }) {
  return (
    <tr>
      <th scope="row">
        <a class="mono" href={consolePath.rollout(rollout.id)}>
          {rollout.id.slice(0, 8)}
        </a>
      </th>
      <td>
        <RolloutStateBadge state={rollout.state} />
        {rollout.paused !== null && <p class="hint">{PAUSE_REASONS[rollout.paused.reason]}</p>}
      </td>
      <td>{rollout.phase}</td>
      <td>
        <Progress counts={rollout} total={rollout.total} label={`Rollout ${rollout.id.slice(0, 8)}'s tenants done`} />
      </td>
      <td>
        <When at={rollout.createdAt} />
      </td>
    </tr>
  );
}

/** A page of rollouts, newest first, with "Next" from /v1's cursor and a way back to the first. */
export function RolloutsList({ list, cursor }: { list: RolloutList; cursor: string }) {
  const moving = list.rollouts.some(isMoving);
  return (
    <div id="rollouts-list" data-refresh-ms={moving ? String(REFRESH_MS) : undefined}>
      {list.rollouts.length === 0 ? (
        <p>No rollout yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Rollouts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Rollout</th>
                <th scope="col">State</th>
                <th scope="col">Phase</th>
                <th scope="col">Progress</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.rollouts.map((rollout) => (
                <Row rollout={rollout} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(cursor !== "" || list.cursor !== null) && (
        <nav class="pager" aria-label="Pages">
          {cursor !== "" && <a href={consolePath.rollouts}>First page</a>}
          {list.cursor !== null && (
            <a href={`${consolePath.rollouts}?cursor=${encodeURIComponent(list.cursor)}`} rel="next">
              Next page
            </a>
          )}
        </nav>
      )}
    </div>
  );
}
