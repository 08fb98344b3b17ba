import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { type DevPlatform, freePlatformPorts, isolatedDevEnv, startDevPlatform } from "./support/dev-platform.ts";

// Issue 14, end to end through `npm run dev`'s real processes: a tenant's second version uploaded
// without deploying it answers at its preview URL only; a 50/50 deployment splits clients between
// the two, each client kept on one; a rollback serves the first again on the next request, with
// the tenant's KV, R2, D1 and Durable Object data untouched.

const STARTUP_TIMEOUT_MS = 150_000;

/** The same app in every version but for `version`: `/` says which; `/write` and `/read` use every resource. */
const appSource = (version: string) => `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async fetch() {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return Response.json(n);
  }
}
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/write") {
      await env.KV.put("k", "kv-data");
      await env.BUCKET.put("o", "r2-data");
      await env.DB.prepare("INSERT INTO notes (body) VALUES (?)").bind("d1-data").run();
      await env.COUNTER.getByName("main").fetch("https://counter/");
      return new Response("written");
    }
    if (pathname === "/read") {
      return Response.json({
        kv: await env.KV.get("k"),
        r2: await (await env.BUCKET.get("o"))?.text(),
        d1: (await env.DB.prepare("SELECT body FROM notes").all()).results.map((row) => row.body),
        // The object's count goes on from where /write left it.
        object: await (await env.COUNTER.getByName("main").fetch("https://counter/")).json(),
      });
    }
    return Response.json({ version: ${JSON.stringify(version)} });
  },
};`;

const appScript = (version: string) => ({
  mainModule: "index.js",
  modules: { "index.js": appSource(version) },
  migrations: { "0001_notes.sql": "CREATE TABLE notes (body TEXT NOT NULL);" },
  durableObjects: { COUNTER: "Counter" },
});

interface VersionEntry {
  id: string;
  message: string | null;
  percentage: number;
  previewUrl: string | null;
}

let workDir: string;
let ports: Record<string, number>;
let platform: DevPlatform;
let controlPlane: ControlPlaneApi;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-versions-"));
  ports = await freePlatformPorts();
  platform = await startDevPlatform(isolatedDevEnv(workDir, ports), STARTUP_TIMEOUT_MS);
  controlPlane = controlPlaneApi(`http://127.0.0.1:${ports["control-plane"]}/`);
}, STARTUP_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await platform?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** A request to the dispatcher in path mode: `/<label>/...` is the tenant (or preview) at `<label>.localhost`. */
const dispatcherUrl = (label: string, pathname = "/") => `http://127.0.0.1:${ports.dispatcher}/${label}${pathname}`;

/** Which version a request answered with, and the cookie the dispatcher set (if any). */
async function versionAt(url: string, cookie?: string): Promise<{ version: string; setCookie: string | null }> {
  const response = await fetch(url, cookie === undefined ? {} : { headers: { cookie } });
  expect(response.status, await response.clone().text()).toBe(200);
  const { version } = (await response.json()) as { version: string };
  return { version, setCookie: response.headers.get("set-cookie") };
}

async function versions(id: string): Promise<VersionEntry[]> {
  const answer = await controlPlane.api("GET", `/v1/tenants/${id}/versions`);
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as unknown as { versions: VersionEntry[] }).versions;
}

/** The label a preview URL routes by, in path mode: its hostname's first label. */
const previewLabel = (previewUrl: string) => new URL(previewUrl).hostname.split(".")[0] as string;

describe("a tenant's versions through npm run dev", () => {
  const id = unique("versions");
  let one: VersionEntry;
  let two: VersionEntry;

  it("serves a version uploaded without deploying it at its preview URL only", async () => {
    await controlPlane.onboard({ id, plan: "pro", script: appScript("one") });
    expect((await fetch(dispatcherUrl(id, "/write"))).status).toBe(200);

    const put = await controlPlane.api("PUT", `/v1/tenants/${id}/script?deploy=false`, {
      ...appScript("two"),
      message: "the second version",
    });
    expect(put.status, put.text).toBeLessThan(300);
    await controlPlane.settled(id);

    [two, one] = (await versions(id)) as [VersionEntry, VersionEntry];
    expect(two).toMatchObject({ message: "the second version", percentage: 0 });
    expect(one).toMatchObject({ percentage: 100 });
    expect(two.previewUrl).not.toBeNull();

    expect((await versionAt(dispatcherUrl(id))).version).toBe("one");
    const preview = previewLabel(two.previewUrl as string);
    expect(preview).toBe(`${two.id.slice(0, 8)}--${id}`);
    expect((await versionAt(dispatcherUrl(preview))).version).toBe("two");
    expect((await versionAt(dispatcherUrl(id))).version).toBe("one");
  });

  it("splits clients 50/50 and keeps each on one version", async () => {
    const deployed = await controlPlane.api("POST", `/v1/tenants/${id}/deployments`, {
      versions: [
        { id: one.id, percentage: 50 },
        { id: two.id, percentage: 50 },
      ],
    });
    expect(deployed.status, deployed.text).toBeLessThan(300);
    await controlPlane.settled(id);

    // The dispatcher reads the routes' `split` through its cache: wait until it hands out affinity cookies.
    const first = await eventually(async () => {
      const seen = await versionAt(dispatcherUrl(id));
      return seen.setCookie === null ? null : seen;
    });
    const clients = [first.setCookie as string];
    for (let i = 0; i < 30; i++) {
      const { setCookie } = await versionAt(dispatcherUrl(id));
      clients.push(setCookie as string);
    }
    const seen = new Set<string>();
    for (const setCookie of clients) {
      const cookie = setCookie.split(";")[0] as string;
      const answers = await Promise.all([1, 2, 3].map(() => versionAt(dispatcherUrl(id), cookie)));
      const kept = new Set(answers.map((answer) => answer.version));
      expect(kept.size, `client ${cookie} moved between versions`).toBe(1);
      expect(answers.every((answer) => answer.setCookie === null)).toBe(true);
      seen.add(answers[0]?.version as string);
    }
    // 31 clients at 50/50: all on one version has a chance of 2 in 2^31.
    expect([...seen].sort()).toEqual(["one", "two"]);
  });

  it("rolls back to the first version on the next request, its data untouched", async () => {
    const rolledBack = await controlPlane.api("POST", `/v1/tenants/${id}/rollback`, { versionId: one.id });
    expect(rolledBack.status, rolledBack.text).toBeLessThan(300);
    await controlPlane.settled(id);

    for (let i = 0; i < 10; i++) expect((await versionAt(dispatcherUrl(id))).version).toBe("one");
    const list = await versions(id);
    expect(list.find((version) => version.id === one.id)?.percentage).toBe(100);
    expect(list.find((version) => version.id === two.id)?.percentage).toBe(0);

    const read = await fetch(dispatcherUrl(id, "/read"));
    expect(await read.json()).toEqual({ kv: "kv-data", r2: "r2-data", d1: ["d1-data"], object: 2 });
  });
});
