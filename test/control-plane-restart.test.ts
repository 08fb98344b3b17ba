import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { applyControlPlaneMigrations, ensureDispatchNamespace } from "../scripts/lib/first-start.ts";
import { CONTROL_PLANE, DISPATCHER, platformApiToken } from "../scripts/lib/platform.ts";
import { freePorts } from "../scripts/lib/ports.ts";
import { startWranglerDev, type WranglerDev } from "../scripts/lib/wrangler-dev.ts";

// The control plane's process dies half way through an onboarding, and is
// started again on the same state: the tenant's operation resumes by itself
// (its Durable Object's alarm outlives the process) and the tenant ends
// active, with nothing created twice.

const STARTUP_TIMEOUT_MS = 120_000;
let dir: string;
let dispatcher: WranglerDev;
const stops: WranglerDev[] = [];

function start(configPath: string, port: number, inspectorPort: number, healthPath: string, persistTo: string) {
  const dev = startWranglerDev({
    configPath,
    port,
    inspectorPort,
    persistTo,
    healthPath,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    env: { WRANGLER_REGISTRY_PATH: inject("devRegistryPath") },
    onLine: () => {},
  });
  stops.push(dev);
  return dev;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "wfp-restart-"));
  const [port, inspector] = (await freePorts(2)) as [number, number];
  // The control plane writes routes through the dispatcher (its ROUTES binding, locally).
  dispatcher = start(DISPATCHER.configPath, port, inspector, DISPATCHER.healthPath, path.join(dir, "dispatcher"));
  await dispatcher.ready;
  await ensureDispatchNamespace(inject("emulatorUrl"), inject("emulatorToken"));
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(stops.map((dev) => dev.group.stop()));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function emulatorAdmin(method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${inject("emulatorUrl")}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${inject("emulatorToken")}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.ok, await response.clone().text()).toBe(true);
}

it("an onboarding interrupted by the control plane's process dying resumes when it is started again", async () => {
  const persistTo = path.join(dir, "control-plane");
  await applyControlPlaneMigrations(persistTo);
  const [port, inspector, port2, inspector2] = (await freePorts(4)) as [number, number, number, number];
  const token = platformApiToken();
  const api = async (base: string, method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${base}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  // The D1 database's creation hangs: the process dies while the step waits on it.
  await emulatorAdmin("POST", "/__emulator/faults", {
    method: "POST",
    path: "/accounts/*/d1/database",
    times: 1,
    action: { kind: "hang", ms: 20_000 },
  });
  const first = start(CONTROL_PLANE.configPath, port, inspector, CONTROL_PLANE.healthPath, persistTo);
  await first.ready;
  const id = `restart-${Date.now().toString(36)}`;
  const created = await api(first.url, "POST", "/v1/tenants", {
    id,
    plan: "pro",
    script: { mainModule: "index.js", modules: { "index.js": `export default { fetch: () => new Response("back") };` } },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await api(first.url, "GET", `/v1/tenants/${id}`);
    if ((json.operation as { step?: string } | null)?.step === "create_d1") break;
    if (Date.now() > deadline) throw new Error(`never reached create_d1: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await first.group.kill();
  await emulatorAdmin("DELETE", "/__emulator/faults");

  const second = start(CONTROL_PLANE.configPath, port2, inspector2, CONTROL_PLANE.healthPath, persistTo);
  await second.ready;
  // Nobody calls the tenant: only its alarm can carry the operation on. (GET reads the registry.)
  let tenant: Record<string, unknown> = {};
  const resumeDeadline = Date.now() + 60_000;
  while (Date.now() < resumeDeadline) {
    tenant = (await api(second.url, "GET", `/v1/tenants/${id}`)).json;
    if (tenant.state === "active" || tenant.state === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(tenant.state, JSON.stringify(tenant)).toBe("active");
  const resources = tenant.resources as Record<string, { name?: string } | null>;
  expect(resources.d1?.name).toBe(`t-${id}-d1`);
  // Path mode (fetch cannot set Host): /<tenant>/ on the dispatcher's own address.
  const served = await fetch(`${dispatcher.url}/${id}/`);
  expect(await served.text()).toBe("back");
}, 180_000);
