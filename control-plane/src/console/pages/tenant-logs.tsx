import type { LogPage } from "../../../../platform/tenant-logs";
import type { ApiResult } from "../api";
import { consolePath } from "../layout";
import { AFTER_NONE, AFTER_PARAM } from "./tenant-live-logs";
import { logEventText } from "./tenant-log-lines";

/** How many of the latest events the page shows. */
export const LOGS_ON_PAGE = 50;

/**
 * The tenant's latest log events, oldest first, and, with JavaScript, the ones that come after
 * (script.ts follows `data-live-logs`, the console's own stream from the newest event shown: the
 * browser never holds the token).
 */
export function TenantLogs({ tenantId, result }: { tenantId: string; result: ApiResult<LogPage> | null }) {
  return (
    <section aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      {result === null ? (
        <p class="muted">None: the tenant is deleted, and its logs with it.</p>
      ) : !result.ok ? (
        <p class="notice error">The logs could not be read: {result.error.message}</p>
      ) : (
        <>
          <p class="hint">
            The latest {LOGS_ON_PAGE} events, oldest first; new ones are added below as they happen (with JavaScript
            on).
          </p>
          <pre
            class="logs"
            role="log"
            aria-label={`${tenantId}'s logs`}
            data-live-logs={`${consolePath.tenantLiveLogs(tenantId)}?${AFTER_PARAM}=${result.value.events[0]?.id ?? AFTER_NONE}`}
          >
            {[...result.value.events]
              .reverse()
              .map((event) => `${logEventText(event)}\n`)
              .join("")}
          </pre>
          {result.value.events.length === 0 && <p class="muted">No events yet.</p>}
        </>
      )}
    </section>
  );
}
