import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { LogEvent, LogPage } from "../platform/tenant-logs.ts";
import { platformApiToken } from "../scripts/lib/platform.ts";
import { spawnGroup } from "../scripts/lib/process-group.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";

// Issue 13, end to end through `npm run dev`'s processes: a tenant's console lines, exception and
// outcome reach the tail Worker (the emulator hands it the trace events of the scripts it runs, as
// Cloudflare hands them to the dispatch Worker's tail consumer), and the operators read them through
// the control plane: a page, and a live follower. Another tenant's logs hold none of it.

const dev = devPlatformForFile("logs");
let controlPlane: ControlPlaneApi;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
});

/** Logs a marker on every request; `/boom` throws after it. */
const loggerScript = (marker: string) => ({
  mainModule: "index.js",
  modules: {
    "index.js": `export default {
  fetch(request) {
    console.log(${JSON.stringify(marker)}, new URL(request.url).pathname);
    if (new URL(request.url).pathname === "/boom") throw new RangeError("exploded: " + ${JSON.stringify(marker)});
    return new Response("fine");
  },
};`,
  },
});

const onboard = (id: string, marker: string) =>
  controlPlane.onboard({
    id,
    plan: "free",
    resources: { kv: false, r2: false, d1: false },
    script: loggerScript(marker),
  });

/** An end user's request to the tenant through the dispatcher (path routing, the local config's). */
const visit = async (id: string, pathname: string) =>
  (await fetch(`http://127.0.0.1:${dev.ports.dispatcher}/${id}${pathname}`)).text();

async function logsOf(id: string, query = ""): Promise<LogPage> {
  const answer = await controlPlane.api("GET", `/v1/tenants/${id}/logs${query}`);
  expect(answer.status, answer.text).toBe(200);
  return JSON.parse(answer.text) as LogPage;
}

/** Opens a live follower of the tenant's logs with the operators' token, and gives its next event. */
function follow(id: string): { opened: Promise<void>; next: Promise<LogEvent>; close(): void } {
  const url = dev.url("control-plane", `/v1/tenants/${id}/logs/live`).replace(/^http/, "ws");
  // Node's WebSocket (undici's) takes headers: the token goes in Authorization, as for every route.
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${platformApiToken()}` } } as never);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () => reject(new Error("the live logs socket failed")));
  });
  const next = new Promise<LogEvent>((resolve) => {
    socket.addEventListener("message", (event) => resolve(JSON.parse(String(event.data)) as LogEvent));
  });
  return { opened, next, close: () => socket.close() };
}

describe("a tenant's logs through npm run dev", () => {
  const id = unique("logs");
  const other = unique("quiet");
  const marker = `marker-${crypto.randomUUID()}`;

  it("a request's console line, its exception and its outcome are in the tenant's logs within seconds", async () => {
    await onboard(id, marker);
    await onboard(other, "nothing-to-see");
    expect(await visit(id, "/fine")).toBe("fine");
    await visit(id, "/boom");
    await visit(other, "/fine");

    const page = await eventually(async () => {
      const seen = await logsOf(id);
      return seen.events.some((e) => e.outcome === "exception") && seen.events.some((e) => e.outcome === "ok")
        ? seen
        : null;
    }, 15_000);
    const boom = page.events.find((e) => e.outcome === "exception");
    expect(boom?.request).toMatchObject({ method: "GET" });
    expect(boom?.logs.map((l) => l.message)).toEqual([`${marker} /boom`]);
    expect(boom?.exceptions).toEqual([expect.objectContaining({ name: "RangeError", message: `exploded: ${marker}` })]);
    const fine = page.events.find((e) => e.outcome === "ok");
    expect(fine?.request?.status).toBe(200);
    // Newest first.
    expect(page.events[0]?.id).toBeGreaterThan(page.events.at(-1)?.id ?? 0);
    expect((await logsOf(id, "?outcome=exception")).events.map((e) => e.outcome)).toEqual(["exception"]);
  });

  it("a live follower gets the next event as it happens", async () => {
    const follower = follow(id);
    try {
      await follower.opened;
      await visit(id, "/live");
      const event = await follower.next;
      expect(event.logs.map((l) => l.message)).toEqual([`${marker} /live`]);
    } finally {
      follower.close();
    }
  });

  it("`wfp logs --follow --json` prints the next event as it happens, and stops on Ctrl-C", async () => {
    const lines: string[] = [];
    const cli = spawnGroup(
      process.execPath,
      [path.join(REPO_ROOT, "cli/wfp.ts"), "logs", id, "--follow", "--json", "--limit", "1"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...dev.wfpEnv() },
        onLine: (line) => lines.push(line),
      },
    );
    try {
      const parsed = () => lines.flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as LogEvent] : []));
      // The last event first (--limit 1), once the live socket is open.
      await eventually(async () => (parsed().length > 0 ? true : null), 15_000);
      await visit(id, "/followed");
      const followed = await eventually(
        async () => parsed().find((e) => e.logs.some((l) => l.message === `${marker} /followed`)) ?? null,
        15_000,
      );
      expect(followed.request?.url).toContain("/followed");
    } finally {
      await cli.stop(10_000);
    }
    expect(await cli.exited).toBe(0);
  });

  it("another tenant's logs hold none of it", async () => {
    const theirs = await eventually(async () => {
      const seen = await logsOf(other);
      return seen.events.length > 0 ? seen : null;
    }, 15_000);
    expect(JSON.stringify(theirs)).not.toContain(marker);
  });

  it("a deleted tenant's logs are removed from the tail Worker", async () => {
    /** The tail Worker's own page of the tenant (its internal API, on npm run dev's port for it). */
    const filed = async () =>
      ((await (await fetch(dev.url("tail", `/tenants/${other}/logs`))).json()) as LogPage).events.length;
    expect(await filed()).toBeGreaterThan(0);
    const deleted = await controlPlane.api("DELETE", `/v1/tenants/${other}`);
    expect(deleted.status, deleted.text).toBeLessThan(300);
    await eventually(async () =>
      (await controlPlane.api("GET", `/v1/tenants/${other}`)).json.state === "deleted" ? true : null,
    );
    expect(await filed()).toBe(0);
  });
});
