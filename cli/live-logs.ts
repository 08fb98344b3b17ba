import { LogEvent } from "../platform/tenant-logs.ts";
import { tenantPath } from "./api.ts";
import { CliError, EXIT } from "./errors.ts";
import type { Connection } from "./http.ts";

/**
 * The live stream of a tenant's events: `GET /v1/tenants/{id}/logs/live` as a WebSocket (Node's
 * own, which takes the bearer token as a header). Each text message is one event, checked with
 * the contract; something else ends the stream as an off-contract answer.
 */
export type LiveLogs = {
  /** Events as they arrive, in order, until the socket closes (then the promise of `ended` settles). */
  onEvent(listener: (event: LogEvent) => void): void;
  /** Settles once the socket is closed: resolved when `close()` closed it, rejected with why otherwise. */
  readonly ended: Promise<void>;
  close(): void;
};

const OPEN_TIMEOUT_MS = 30_000;

/** The socket once open; a CliError if it could not be opened (the caller then asks the API why). */
export async function openLiveLogs(connection: Connection, tenant: string): Promise<LiveLogs> {
  const url = new URL(`${tenantPath(tenant)}/logs/live`, connection.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  // Node's WebSocket (undici's) takes headers, which the DOM typings do not know of.
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${connection.token}` } } as never);
  const where = `the live logs of "${tenant}" at ${connection.url.origin}`;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(
        new CliError(EXIT.unreachable, "unreachable", `${where}: no WebSocket within ${OPEN_TIMEOUT_MS / 1000} s`),
      );
    }, OPEN_TIMEOUT_MS);
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new CliError(EXIT.unreachable, "unreachable", `${where}: the WebSocket could not be opened`));
    });
  });

  let listener: (event: LogEvent) => void = () => {};
  const buffered: LogEvent[] = [];
  let closing = false;
  const ended = new Promise<void>((resolve, reject) => {
    socket.addEventListener("message", (message) => {
      const event = typeof message.data === "string" ? parseEvent(message.data) : null;
      if (event === null) {
        closing = true;
        socket.close(1003, "not a log event");
        reject(new CliError(EXIT.unreachable, "bad_response", `${where}: a message that is not a log event`));
        return;
      }
      buffered.push(event);
      listener(event);
    });
    socket.addEventListener("close", (close) => {
      if (closing) return resolve();
      const reason = close.reason === "" ? "" : `: ${close.reason}`;
      reject(
        new CliError(
          EXIT.unreachable,
          "live_closed",
          `the control plane closed ${where} (WebSocket code ${close.code}${reason})`,
        ),
      );
    });
  });
  ended.catch(() => {});

  return {
    onEvent(next) {
      // What arrived before a listener was set is handed to it first.
      for (const event of buffered.splice(0)) next(event);
      listener = (event) => {
        buffered.length = 0;
        next(event);
      };
    },
    ended,
    close() {
      closing = true;
      socket.close(1000, "wfp logs --follow ended");
    },
  };
}

function parseEvent(text: string): LogEvent | null {
  try {
    const parsed = LogEvent.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
