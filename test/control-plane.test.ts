import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { bundleWorker } from "../cli/bundle.ts";
import { applyControlPlaneMigrations, ensureDispatchNamespace } from "../scripts/lib/first-start.ts";
import { CONTROL_PLANE, DISPATCHER, platformApiToken } from "../scripts/lib/platform.ts";
import { freePorts } from "../scripts/lib/ports.ts";
import { startWranglerDev, type WranglerDev } from "../scripts/lib/wrangler-dev.ts";
import { tenantsNamespace } from "./support/control-plane-vars.ts";

// The control plane in its own `wrangler dev`, as `npm run dev` runs it, with
// the emulator (test/global-setup.ts) and the dispatcher beside it.

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

/** The control plane's account and dispatch namespace at the emulator (its wrangler.local.toml). */
const { accountId: ACCOUNT, namespace: DISPATCH_NAMESPACE } = tenantsNamespace();

type Envelope<T> = {
  success: boolean;
  result: T;
  result_info?: { total_pages?: number; cursor?: string };
};

/** One call to the emulator's API for the control plane's account: the whole envelope. */
async function emulatorCall<T>(pathname: string): Promise<Envelope<T>> {
  const response = await fetch(`${inject("emulatorUrl")}/client/v4/accounts/${ACCOUNT}${pathname}`, {
    headers: { authorization: `Bearer ${inject("emulatorToken")}` },
  });
  const body = (await response.json()) as Envelope<T>;
  expect(body.success, `${pathname}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

const emulatorResult = async <T>(pathname: string): Promise<T> => (await emulatorCall<T>(pathname)).result;

/** Every item of a listing, every page: numbered pages (`page`) or a cursor, whichever it answers with. */
async function everyPage<T>(pathname: string, paging: "page" | "cursor"): Promise<T[]> {
  const items: T[] = [];
  const separator = pathname.includes("?") ? "&" : "?";
  if (paging === "page") {
    for (let page = 1; ; page++) {
      const body = await emulatorCall<T[]>(`${pathname}${separator}page=${page}`);
      items.push(...body.result);
      if (page >= (body.result_info?.total_pages ?? 1)) return items;
    }
  }
  let cursor = "";
  for (;;) {
    const body = await emulatorCall<T[] | { buckets: T[] }>(
      `${pathname}${cursor === "" ? "" : `${separator}cursor=${encodeURIComponent(cursor)}`}`,
    );
    items.push(...(Array.isArray(body.result) ? body.result : body.result.buckets));
    cursor = body.result_info?.cursor ?? "";
    if (cursor === "") return items;
  }
}

/** What the control plane's account holds at the emulator, over every page of every listing. */
async function emulatorInventory() {
  const [kv, r2, d1, scripts] = await Promise.all([
    everyPage<{ id: string; title: string }>("/storage/kv/namespaces?per_page=100", "page"),
    everyPage<{ name: string }>("/r2/buckets?per_page=100", "cursor"),
    everyPage<{ uuid: string; name: string }>("/d1/database?per_page=100", "page"),
    everyPage<{ script: { id: string } }>(
      `/workers/dispatch/namespaces/${DISPATCH_NAMESPACE}/scripts?limit=100`,
      "cursor",
    ),
  ]);
  return { kv, r2, d1, scripts };
}

// The process dies half way through an onboarding and is started again on the
// same state: the tenant's operation resumes by itself (its Durable Object's
// alarm outlives the process), and the tenant ends active, nothing created twice.
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
    script: {
      mainModule: "index.js",
      modules: { "index.js": `export default { fetch: () => new Response("back") };` },
    },
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
  // Nothing created twice, by either process: over every page of every listing of the control plane's account,
  // exactly one KV namespace, R2 bucket and D1 database under the tenant's derived names, each the one the
  // registry recorded and the script is bound to, and one script.
  const resources = tenant.resources as {
    kv: { id: string; title: string } | null;
    r2: { name: string } | null;
    d1: { id: string; name: string } | null;
  };
  const everything = await emulatorInventory();
  expect(everything.kv.filter((ns) => ns.title === `t-${id}-kv`).map((ns) => ns.id)).toEqual([resources.kv?.id]);
  expect(everything.r2.filter((bucket) => bucket.name === `t-${id}-r2`).map((bucket) => bucket.name)).toEqual([
    resources.r2?.name,
  ]);
  expect(everything.d1.filter((db) => db.name === `t-${id}-d1`).map((db) => db.uuid)).toEqual([resources.d1?.id]);
  expect(everything.scripts.filter((listed) => listed.script.id === id)).toHaveLength(1);
  const bindings = await emulatorResult<
    { name: string; namespace_id?: string; bucket_name?: string; id?: string; database_id?: string }[]
  >(`/workers/dispatch/namespaces/${DISPATCH_NAMESPACE}/scripts/${id}/bindings`);
  const bound = (name: string) => bindings.find((binding) => binding.name === name);
  expect(bound("KV")?.namespace_id).toBe(resources.kv?.id);
  expect(bound("BUCKET")?.bucket_name).toBe(resources.r2?.name);
  expect(bound("DB")?.database_id ?? bound("DB")?.id).toBe(resources.d1?.id);
  // Path mode (fetch cannot set Host): /<tenant>/ on the dispatcher's own address.
  const served = await fetch(`${dispatcher.url}/${id}/`);
  expect(await served.text()).toBe("back");
}, 180_000);

it("the user-worker template, onboarded through the API, serves with its KV, R2, D1, analytics, var and secret", async () => {
  const persistTo = path.join(dir, "control-plane-template");
  await applyControlPlaneMigrations(persistTo);
  const [port, inspector] = (await freePorts(2)) as [number, number];
  const controlPlane = start(CONTROL_PLANE.configPath, port, inspector, CONTROL_PLANE.healthPath, persistTo);
  const script = await bundleWorker(path.join(import.meta.dirname, "..", "user-worker-template"));
  await controlPlane.ready;
  const token = platformApiToken();
  const id = `tpl-${Date.now().toString(36)}`;
  const created = await fetch(`${controlPlane.url}/v1/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      id,
      plan: "pro",
      script,
      vars: { GREETING: "Welcome" },
      secrets: { API_TOKEN: "tpl-admin" },
    }),
  });
  expect(created.status, await created.clone().text()).toBe(202);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const tenant = (await (
      await fetch(`${controlPlane.url}/v1/tenants/${id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      state: string;
    };
    if (tenant.state === "active") break;
    if (tenant.state === "failed" || Date.now() > deadline) throw new Error(`tenant: ${JSON.stringify(tenant)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // As an end user, through the dispatcher (path mode: /<tenant>/...).
  const at = (pathname: string, init?: RequestInit) => fetch(`${dispatcher.url}/${id}${pathname}`, init);
  // The template takes writes only with its API_TOKEN (user-worker-template/README.md).
  const writer = { authorization: "Bearer tpl-admin" };
  const json = { "content-type": "application/json", ...writer };
  expect(await (await at("/")).json()).toEqual({ greeting: "Welcome", tenant: id });
  expect(
    (await at("/kv/colour", { method: "PUT", headers: json, body: JSON.stringify({ value: "teal" }) })).status,
  ).toBe(200);
  expect(await (await at("/kv/colour")).json()).toMatchObject({ key: "colour", value: "teal" });
  const file = "hello, bucket";
  expect(
    (
      await at("/files/hello.txt", {
        method: "PUT",
        headers: { "content-length": String(file.length), ...writer },
        body: file,
      })
    ).ok,
  ).toBe(true);
  expect(await (await at("/files/hello.txt")).text()).toBe(file);
  expect(
    (await at("/notes", { method: "POST", headers: json, body: JSON.stringify({ title: "first", body: "note" }) }))
      .status,
  ).toBe(201);
  expect(
    ((await (await at("/notes")).json()) as { notes: { title: string }[] }).notes.map((note) => note.title),
  ).toEqual(["first"]);
  expect((await at("/admin/summary")).status).toBe(401);
  const summary = await at("/admin/summary", { headers: { authorization: "Bearer tpl-admin" } });
  expect(await summary.json()).toEqual({ tenant: id, notes: 1 });
  // One Analytics Engine point per request, in the tenant's own dataset.
  const account = "10ca1000000000000000000000000000";
  const points = await fetch(
    `${inject("emulatorUrl")}/__emulator/analytics/${account}/tenant_${id.replaceAll("-", "_")}`,
    {
      headers: { authorization: `Bearer ${inject("emulatorToken")}` },
    },
  );
  const body = (await points.json()) as { result: unknown[] };
  expect(body.result.length).toBeGreaterThanOrEqual(9);
}, 180_000);
