import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import type { LogPage, TraceEvent } from "../../platform/tenant-logs";
import type { Env } from "../src/env";
import type { TraceIngest } from "../src/index";

export const tailEnv = env as unknown as Env;

/** The tail Worker as the control plane's service binding reaches it, and its TraceIngest entrypoint. */
export const tail = (exports as unknown as { default: Fetcher }).default;
export const ingest = (exports as unknown as { TraceIngest: Service<TraceIngest> }).TraceIngest;

export const NAMESPACE = "wfp-tenants";

let counter = 0;
/** A tenant id no other test uses. */
export const newTenant = (prefix = "t") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** A TraceEvent as the emulator hands it over: one fetch of `scriptName` in the platform's namespace. */
export function traceEvent(scriptName: string, overrides: Partial<TraceEvent> = {}): TraceEvent {
  const now = Date.now();
  return {
    scriptName,
    dispatchNamespace: NAMESPACE,
    eventTimestamp: now,
    outcome: "ok",
    request: { method: "GET", url: `https://${scriptName}.platform.example/`, status: 200 },
    logs: [{ timestamp: now, level: "log", message: ["hello from", scriptName] }],
    exceptions: [],
    cpuTime: 1,
    wallTime: 2,
    ...overrides,
  };
}

/** A runtime TraceItem as Cloudflare hands it to tail(): with the request's headers, which must not be kept. */
export function traceItem(scriptName: string | null, overrides: Record<string, unknown> = {}): TraceItem {
  const now = Date.now();
  return {
    scriptName,
    dispatchNamespace: NAMESPACE,
    scriptTags: [],
    outcome: "ok",
    eventTimestamp: now,
    event: {
      request: {
        method: "POST",
        url: `https://${scriptName}.platform.example/orders?x=1`,
        headers: { cookie: "session=client-secret", "x-wfp-request-id": "internal", authorization: "Bearer t" },
        cf: { colo: "AMS" },
        getUnredacted() {
          return this;
        },
      },
      response: { status: 201 },
    },
    logs: [{ timestamp: now, level: "info", message: ["created order", 42] }],
    exceptions: [],
    diagnosticsChannelEvents: [],
    executionModel: "stateless",
    truncated: false,
    cpuTime: 3,
    wallTime: 4,
    ...overrides,
  } as unknown as TraceItem;
}

export async function getPage(tenant: string, query = ""): Promise<{ status: number; body: LogPage }> {
  const response = await tail.fetch(`http://tail/tenants/${tenant}/logs${query}`);
  return { status: response.status, body: await response.json<LogPage>() };
}
