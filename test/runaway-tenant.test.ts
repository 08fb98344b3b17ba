import { beforeAll, describe, expect, it } from "vitest";
import { runnerIndexFor } from "../emulator/src/runner/placement.ts";
import { DEFAULT_TENANT_RUNNERS, emulatorApiToken } from "../scripts/lib/platform.ts";
import { type ControlPlaneApi, controlPlaneApi, unique } from "./support/control-plane-api.ts";
import { tenantsNamespace } from "./support/control-plane-vars.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { getWithHost } from "./support/host-request.ts";

// Issue 10, "a runaway tenant stops everyone": tenants' code runs in runner processes of its own
// (emulator/src/runner), each watched by a supervisor (scripts/lib/runner-watch.ts). Against
// `npm run dev`'s real processes: a tenant whose code never yields holds only its runner, and only
// until the supervisor ends it.

const dev = devPlatformForFile("runaway");
let controlPlane: ControlPlaneApi;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
});

/** Where the control plane deploys tenants: its account and namespace (control-plane/wrangler.local.toml). */
const { accountId, namespace } = tenantsNamespace();

/** The runner (0-based) the emulator sends a tenant's requests to: its script is named after it. */
const runnerOf = (id: string) => runnerIndexFor({ accountId, namespace, script: id }, DEFAULT_TENANT_RUNNERS);

/** A fresh tenant id with `prefix` whose script runs in runner `runner`. */
function idOnRunner(prefix: string, runner: number): string {
  for (;;) {
    const id = unique(prefix);
    if (runnerOf(id) === runner) return id;
  }
}

/** `/spin` never yields; every other path answers at once. */
const SPINNER = {
  mainModule: "index.js",
  modules: {
    "index.js": `export default {
  fetch(request) {
    if (new URL(request.url).pathname === "/spin") for (;;) {}
    return new Response("calm");
  },
};`,
  },
};

const onboard = (id: string) =>
  controlPlane.onboard({ id, plan: "pro", resources: { kv: false, r2: false, d1: false }, script: SPINNER });

/** An end user's GET of `pathname` on the tenant's hostname, through the dispatcher. */
const visit = (id: string, pathname = "/") =>
  getWithHost(dev.ports.dispatcher as number, pathname, `${id}.localhost`).then(({ status, body }) => ({
    status,
    body,
  }));

/** A promise's outcome, readable at any time without waiting for it. */
function watched<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  void promise.finally(() => {
    done = true;
  });
  return { settled: () => done, promise };
}

const emulatorApi = (pathname: string) =>
  fetch(dev.url("emulator", `/client/v4${pathname}`), {
    headers: { authorization: `Bearer ${emulatorApiToken()}` },
  });

/** Until `promise` has held the runner for a while: the supervisor ends it no sooner than 2 s in. */
const holdBegins = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("a runaway tenant, against npm run dev", () => {
  it("holds only its runner: the API and a tenant on another runner answer, and the request ends with the CPU limit error", async () => {
    const spinner = await onboard(idOnRunner("spin", 0));
    const other = await onboard(idOnRunner("other", 1));

    const spin = watched(visit(spinner, "/spin"));
    await holdBegins();
    const namespaces = await emulatorApi(`/accounts/${accountId}/workers/dispatch/namespaces`);
    expect(namespaces.status).toBe(200);
    expect(await visit(other)).toEqual({ status: 200, body: "calm" });
    expect(spin.settled(), "the API and the other runner answered while the loop ran").toBe(false);

    const ended = await spin.promise;
    expect(ended.status).toBe(503);
    expect(JSON.parse(ended.body).error.code).toBe("limit_exceeded");
    expect(dev.platform.output.some((line) => /a request held this runner for \d+ ms/.test(line))).toBe(true);
    // The runner was replaced: the tenant that held it, and it alone, is served again.
    expect(await visit(spinner)).toEqual({ status: 200, body: "calm" });
  });

  it("answers a tenant that shares the held runner once the runner is back: its request, sent during the hold, never ran there", async () => {
    const spinner = await onboard(idOnRunner("spin", 1));
    const neighbour = await onboard(idOnRunner("neighbour", 1));

    const spin = watched(visit(spinner, "/spin"));
    await holdBegins();
    // Sent while the runner is held: it never starts there, so it is sent again to the new runner.
    const waiting = watched(visit(neighbour));
    expect((await spin.promise).status).toBe(503);
    expect(await waiting.promise).toEqual({ status: 200, body: "calm" });
  });

  it("refuses an upload whose top level never ends as one whose start ran past the limit, and keeps the live version", async () => {
    const id = await onboard(idOnRunner("hang", 0));
    const upload = watched(
      controlPlane.api("PUT", `/v1/tenants/${id}/script`, {
        mainModule: "index.js",
        modules: { "index.js": `for (;;) {}\nexport default { fetch: () => new Response("never") };` },
      }),
    );
    await holdBegins();
    expect((await emulatorApi(`/accounts/${accountId}/workers/dispatch/namespaces`)).status).toBe(200);
    expect(upload.settled()).toBe(false);

    const refused = await upload.promise;
    expect(refused.status, refused.text).toBe(422);
    expect(refused.json.error?.code).toBe("script_rejected");
    expect(refused.json.error?.message).toContain("Script startup exceeded CPU time limit.");
    expect(await visit(id)).toEqual({ status: 200, body: "calm" });
  });
});
