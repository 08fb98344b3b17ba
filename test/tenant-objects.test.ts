import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { type DevPlatform, freePlatformPorts, isolatedDevEnv, startDevPlatform } from "./support/dev-platform.ts";

// Issue 12, end to end through `npm run dev`'s real processes: a tenant whose script has a Durable
// Object class, used through the dispatcher by HTTP and over a WebSocket, re-uploaded, the platform
// restarted, its objects' state intact; the tenant deleted, its objects' storage gone.

const STARTUP_TIMEOUT_MS = 150_000;

/** A counter object: `GET /count` counts by HTTP; `/ws` is a hibernating WebSocket on which "count" counts. */
const counterSource = (version: string) => `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  next() {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return n;
  }
  async fetch(request) {
    if (request.headers.get("upgrade") === "websocket") {
      const pair = new WebSocketPair();
      this.ctx.acceptWebSocket(pair[1]);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    return Response.json({ n: this.next(), version: ${JSON.stringify(version)} });
  }
  webSocketMessage(ws, message) {
    if (message === "count") ws.send(String(this.next()));
  }
}
export default {
  fetch(request, env) {
    return env.COUNTER.getByName("main").fetch(request);
  },
};`;

const counterScript = (version: string) => ({
  mainModule: "index.js",
  modules: { "index.js": counterSource(version) },
  durableObjects: { COUNTER: "Counter" },
});

let workDir: string;
let ports: Record<string, number>;
let platform: DevPlatform;
let controlPlane: ControlPlaneApi;

async function start(): Promise<void> {
  platform = await startDevPlatform(isolatedDevEnv(workDir, ports), STARTUP_TIMEOUT_MS);
  controlPlane = controlPlaneApi(`http://127.0.0.1:${ports["control-plane"]}/`);
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-objects-"));
  ports = await freePlatformPorts();
  await start();
}, STARTUP_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await platform?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** The tenant's Worker through the dispatcher, by path (`/<tenant>/...`, PATH_ROUTING in the local config). */
const tenantUrl = (id: string, pathname: string) => `http://127.0.0.1:${ports.dispatcher}/${id}${pathname}`;

async function count(id: string): Promise<{ n: number; version: string }> {
  const response = await fetch(tenantUrl(id, "/count"));
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as { n: number; version: string };
}

/** Opens a WebSocket to the tenant through the dispatcher, sends "count", and gives the answer. */
async function countOverWebSocket(id: string): Promise<string> {
  const socket = new WebSocket(tenantUrl(id, "/ws").replace(/^http/, "ws"));
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.addEventListener("open", () => socket.send("count"));
      socket.addEventListener("message", (event) => resolve(String(event.data)));
      socket.addEventListener("error", () => reject(new Error("the WebSocket failed")));
      socket.addEventListener("close", (event) => reject(new Error(`closed before an answer: ${event.code}`)));
    });
  } finally {
    socket.close();
  }
}

/** The tenants' objects' own databases on disk: each object is a facet of its script's host object. */
async function objectDatabases(): Promise<string[]> {
  const state = path.join(workDir, "state");
  const found: string[] = [];
  for (const entry of await readdir(state, { recursive: true })) {
    // A facet's database sits beside its host's: <host id>.<n>.sqlite.
    if (/[0-9a-f]{64}\.\d+\.sqlite$/.test(entry)) found.push(entry);
  }
  return found;
}

describe("a tenant's Durable Objects through npm run dev", () => {
  const id = unique("objects");

  it("count through the dispatcher by HTTP and over a WebSocket", async () => {
    await controlPlane.onboard({
      id,
      plan: "pro",
      resources: { kv: false, r2: false, d1: false },
      script: counterScript("one"),
    });
    expect(await count(id)).toEqual({ n: 1, version: "one" });
    expect(await count(id)).toEqual({ n: 2, version: "one" });
    expect(await countOverWebSocket(id)).toBe("3");
  });

  it(
    "keep their state across a re-upload and a restart of the platform",
    async () => {
      const put = await controlPlane.api("PUT", `/v1/tenants/${id}/script`, counterScript("two"));
      expect(put.status, put.text).toBeLessThan(300);
      await controlPlane.settled(id);
      expect(await count(id)).toEqual({ n: 4, version: "two" });

      expect(await platform.stop()).toBe(0);
      await start();
      expect(await count(id)).toEqual({ n: 5, version: "two" });
    },
    STARTUP_TIMEOUT_MS + 60_000,
  );

  it("are deleted with the tenant", async () => {
    expect((await objectDatabases()).length).toBeGreaterThan(0);
    const deleted = await controlPlane.api("DELETE", `/v1/tenants/${id}`);
    expect(deleted.status, deleted.text).toBeLessThan(300);
    await eventually(async () =>
      (await controlPlane.api("GET", `/v1/tenants/${id}`)).json.state === "deleted" ? true : null,
    );
    expect(await eventually(async () => ((await objectDatabases()).length === 0 ? true : null))).toBe(true);
  });
});
