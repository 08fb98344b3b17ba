import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TenantView } from "../../../platform/tenants-api";
import { type AssetFile, assetFile, manifestOf, storeAssets } from "./assets-support";
import {
  api,
  clearFaults,
  emulatorResourcesOf,
  ensureNamespace,
  expectResourcesMatchRegistry,
  type FaultRule,
  faultNow,
  injectFault,
  NOTES_APP,
  newTenant,
  routeOf,
  settled,
  testEnv,
  uniqueId,
  visit,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

const ACCOUNT = "/accounts/*";
const SCRIPTS = `${ACCOUNT}/workers/dispatch/namespaces/*/scripts`;
/** The platform's zone's custom hostnames (Cloudflare for SaaS). */
const CUSTOM_HOSTNAMES = "/zones/*/custom_hostnames";
type Call = { method: string; path: string };

/**
 * Every step of provisioning, of the secret operations, of an update that
 * drops the tenant's custom hostname and of a delete that calls the API, with
 * the call a fault hits. `before`: how many calls to the
 * same method and path come earlier in the operation (check_script's upload
 * before upload_script's), let
 * through so that the fault hits this step's own call. `write_routes`,
 * `delete_routes` and `settle` make no API call: the emulator cannot fault them.
 */
type StepCase = {
  step: string;
  /** The title's name for a step with more than one call faulted (upload_script's assets calls). */
  label?: string;
  /** `update`: a PATCH giving up the tenant's custom hostname. */
  operation: "provision" | "secret" | "update" | "delete";
  call: (tenant: { id: string; resources: TenantView["resources"] }) => Call;
  before?: number;
  /** A call that creates something: what a lost answer must not make twice. */
  creates?: boolean;
};

const STEPS: StepCase[] = [
  {
    step: "check_script",
    operation: "provision",
    creates: true,
    call: ({ id }) => ({ method: "PUT", path: `${SCRIPTS}/${id}` }),
  },
  {
    step: "create_kv",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: `${ACCOUNT}/storage/kv/namespaces` }),
  },
  {
    step: "create_r2",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: `${ACCOUNT}/r2/buckets` }),
  },
  {
    step: "create_d1",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: `${ACCOUNT}/d1/database` }),
  },
  {
    // A new database's migrations are one query: the migrations table, each migration and its record, in one batch.
    step: "apply_migrations",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: `${ACCOUNT}/d1/database/*/query` }),
  },
  {
    step: "upload_script",
    operation: "provision",
    creates: true,
    before: 1,
    call: ({ id }) => ({ method: "PUT", path: `${SCRIPTS}/${id}` }),
  },
  {
    // The tenant's script comes with a static asset of its own (runWithFault), so its upload opens a
    // session that asks for it, and uploads it.
    step: "upload_script",
    label: "upload_script's assets-upload-session",
    operation: "provision",
    creates: true,
    call: ({ id }) => ({ method: "POST", path: `${SCRIPTS}/${id}/assets-upload-session` }),
  },
  {
    step: "upload_script",
    label: "upload_script's assets upload",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: `${ACCOUNT}/workers/assets/upload` }),
  },
  {
    // The tenant's script comes with a cron trigger (newTenant below).
    step: "set_schedules",
    operation: "provision",
    creates: true,
    call: ({ id }) => ({ method: "PUT", path: `${SCRIPTS}/${id}/schedules` }),
  },
  {
    // The tenant's hostname under .example.com is a custom hostname on the platform's zone.
    step: "create_custom_hostnames",
    operation: "provision",
    creates: true,
    call: () => ({ method: "POST", path: CUSTOM_HOSTNAMES }),
  },
  {
    step: "put_secret",
    operation: "secret",
    creates: true,
    call: ({ id }) => ({ method: "PUT", path: `${SCRIPTS}/${id}/secrets` }),
  },
  {
    step: "delete_secret",
    operation: "secret",
    call: ({ id }) => ({ method: "DELETE", path: `${SCRIPTS}/${id}/secrets/API_KEY` }),
  },
  {
    step: "delete_custom_hostnames",
    operation: "update",
    call: () => ({ method: "DELETE", path: `${CUSTOM_HOSTNAMES}/*` }),
  },
  { step: "delete_script", operation: "delete", call: ({ id }) => ({ method: "DELETE", path: `${SCRIPTS}/${id}` }) },
  {
    step: "delete_custom_hostnames",
    operation: "delete",
    call: () => ({ method: "DELETE", path: `${CUSTOM_HOSTNAMES}/*` }),
  },
  {
    step: "delete_r2",
    operation: "delete",
    call: ({ resources }) => ({ method: "DELETE", path: `${ACCOUNT}/r2/buckets/${resources.r2?.name}` }),
  },
  {
    step: "delete_kv",
    operation: "delete",
    call: ({ resources }) => ({ method: "DELETE", path: `${ACCOUNT}/storage/kv/namespaces/${resources.kv?.id}` }),
  },
  {
    step: "delete_d1",
    operation: "delete",
    call: ({ resources }) => ({ method: "DELETE", path: `${ACCOUNT}/d1/database/${resources.d1?.id}` }),
  },
];

/** A step's name in a test's title, with its operation where the step runs in more than one. */
const titleOf = (step: StepCase) =>
  step.label ??
  (STEPS.filter((other) => other.step === step.step && other.label === undefined).length > 1
    ? `${step.step} (${step.operation})`
    : step.step);

const INJECTED = "Injected: internal error";
const serverError = { kind: "fail", status: 500, code: 10000, message: INJECTED } as const;
const rateLimited = {
  kind: "fail",
  status: 429,
  code: 971,
  message: "Please wait and consider throttling your request speed",
  retryAfter: 1,
} as const;

/** Installs `action` on the step's call, after letting through the calls of the same path that come before it. */
async function faultStep(
  step: StepCase,
  tenant: { id: string; resources: TenantView["resources"] },
  times: number,
  action: FaultRule["action"],
) {
  const call = step.call(tenant);
  if (step.before !== undefined) await injectFault({ ...call, times: step.before, action: { kind: "delay", ms: 0 } });
  return injectFault({ ...call, times, action });
}

/** Every tenant's script has a cron trigger, so that set_schedules makes a call (its row) and every check sees it. */
const CRON = "*/30 * * * *";

/** Every tenant's static asset (not `/index.html`, which would answer `/` in place of the Worker). */
const SITE_FILE = "/site.txt";

/** A tenant with a custom hostname too, so that every route is checked. */
const hostOf = (id: string) => `www.${id}.example.com`;

/** What one run of a step's operation came to, with what the test needs to check it. */
type Run = {
  id: string;
  tenant: TenantView;
  hadHostnames: string[];
  secret: string;
  /** Its static asset, at SITE_FILE. */
  asset: AssetFile;
  /** The operation the fault was on. */
  operation: TenantView["operation"];
};

/**
 * Brings the tenant to where `step` runs, installs the fault (`install`),
 * runs the operation, and returns how the tenant settled.
 */
async function runWithFault(
  step: StepCase,
  install: (tenant: { id: string; resources: TenantView["resources"] }) => Promise<unknown>,
): Promise<Run> {
  const id = uniqueId(step.step.replaceAll("_", "-").slice(0, 9));
  const hadHostnames = [`${id}.localhost`, hostOf(id)];
  const secret = `sv-${crypto.randomUUID()}`;
  // A file no other tenant has: the API lacks it, so the upload sends it.
  const asset = assetFile(SITE_FILE, "site");
  await storeAssets([asset]);
  const none = { kv: null, r2: null, d1: null };
  if (step.operation === "provision") await install({ id, resources: none });
  const script = { ...NOTES_APP, crons: [CRON], assets: { manifest: manifestOf([asset]) } };
  const created = await api("POST", "/v1/tenants", newTenant(id, { hostnames: [hostOf(id)], script }));
  expect(created.status, created.text).toBe(202);
  let tenant = await settled(id, ["active", "failed"]);
  if (step.operation === "provision") return { id, tenant, hadHostnames, secret, asset, operation: tenant.operation };
  expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");

  if (step.step === "delete_secret") {
    expect((await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: secret })).status).toBe(202);
    expect((await settled(id, ["active"])).secrets).toEqual(["API_KEY"]);
  }
  await install(tenant);
  const answer =
    step.operation === "update"
      ? await api("PATCH", `/v1/tenants/${id}`, { hostnames: [] })
      : step.step === "put_secret"
        ? await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: secret })
        : step.step === "delete_secret"
          ? await api("DELETE", `/v1/tenants/${id}/secrets/API_KEY`)
          : await api("DELETE", `/v1/tenants/${id}`);
  expect(answer.status, answer.text).toBe(202);
  tenant = await settled(id, ["active", "failed", "deleted"]);
  return { id, tenant, hadHostnames, secret, asset, operation: tenant.operation };
}

/** The step's operation did what it is for, and the platform holds exactly what the registry says. */
async function expectDone(step: StepCase, run: Run) {
  const { tenant } = run;
  expect(run.operation?.state, JSON.stringify(run.operation)).toBe("succeeded");
  switch (step.operation) {
    case "provision":
      expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
      expect(tenant.script?.crons).toEqual([CRON]);
      expect(await (await visit(run.id, "/")).text()).toBe("hi from v1");
      expect(await (await visit(run.id, "/d1")).text()).toBe("d1-ok");
      expect(await (await visit(run.id, SITE_FILE)).text()).toBe(new TextDecoder().decode(run.asset.bytes));
      break;
    case "secret":
      expect(tenant.state).toBe("active");
      expect(await secretSeen(run.id)).toBe(step.step === "put_secret" ? "secret set" : "no secret");
      break;
    case "update":
      // The custom hostname is given up (and deleted, below); the tenant serves on its own name.
      expect(tenant.state).toBe("active");
      expect(tenant.hostnames).not.toContain(hostOf(run.id));
      expect(tenant.customHostnames).toEqual([]);
      expect(await (await visit(run.id, "/")).text()).toBe("hi from v1");
      break;
    case "delete":
      expect(tenant.state).toBe("deleted");
      expect((await visit(run.id, "/")).status).toBe(404);
      break;
  }
  await expectResourcesMatchRegistry(tenant, { hadHostnames: run.hadHostnames, secretValues: [run.secret] });
}

/** What the tenant's script says about env.API_KEY, once the dispatcher serves its newest version. */
async function secretSeen(id: string): Promise<string> {
  const answers = new Set<string>();
  // A re-upload is live at once (the dispatcher asks for the script on every request); read twice to be sure.
  for (let i = 0; i < 2; i++) answers.add(await (await visit(id, "/secret")).text());
  return [...answers].join(" / ");
}

describe("each step failing once and three times: the operation succeeds, nothing orphaned", () => {
  for (const step of STEPS) {
    for (const times of [1, 3]) {
      it(`${titleOf(step)}, failing ${times === 1 ? "once" : "three times"}`, async () => {
        let rule: { id: string } | undefined;
        const run = await runWithFault(step, async (tenant) => {
          rule = await faultStep(step, tenant, times, serverError);
        });
        await expectDone(step, run);
        // The fault was met as many times as it was set for: the step did fail, and was retried.
        expect((await faultNow(rule?.id as string)).hits).toBe(times);
      });
    }
  }
});

describe("each step failing for good", () => {
  for (const step of STEPS) {
    it(`${titleOf(step)}: ${
      step.operation === "provision"
        ? "the tenant ends failed, everything it created removed"
        : step.operation === "secret"
          ? "the operation fails, the tenant stays active on what it had"
          : step.operation === "update"
            ? "the operation fails, the hostname is kept until a second PATCH gives it up"
            : "the tenant ends failed, and a second DELETE finishes the teardown"
    }`, async () => {
      const run = await runWithFault(step, (tenant) => faultStep(step, tenant, 100_000, serverError));
      await clearFaults();
      expect(run.operation?.state).toBe("failed");
      expect(run.operation?.error?.message).toContain(INJECTED);
      expect(run.tenant.lastError?.message).toContain(INJECTED);
      switch (step.operation) {
        case "provision": {
          expect(run.tenant.state).toBe("failed");
          expect(run.tenant.resources).toEqual({ kv: null, r2: null, d1: null });
          await expectResourcesMatchRegistry(run.tenant, { hadHostnames: run.hadHostnames });
          // Its hostnames are free again.
          const heir = await api("POST", "/v1/tenants", newTenant(uniqueId("heir"), { hostnames: [hostOf(run.id)] }));
          expect(heir.status, heir.text).toBe(202);
          break;
        }
        case "secret": {
          expect(run.tenant.state).toBe("active");
          // The script has what it had before the operation.
          expect(await secretSeen(run.id)).toBe(step.step === "put_secret" ? "no secret" : "secret set");
          if (step.step === "put_secret") {
            // The value waits for the next upload, which carries it (README: secret values wait until sent).
            expect((await api("PUT", `/v1/tenants/${run.id}/script`, NOTES_APP)).status).toBe(202);
            const after = await settled(run.id, ["active"]);
            expect(await secretSeen(run.id)).toBe("secret set");
            await expectResourcesMatchRegistry(after, { hadHostnames: run.hadHostnames, secretValues: [run.secret] });
          }
          break;
        }
        case "update": {
          // Given up but not released: routed (pending) and on the zone, as the registry records.
          expect(run.tenant.state).toBe("active");
          expect(run.tenant.hostnames).toContain(hostOf(run.id));
          await expectResourcesMatchRegistry(run.tenant, { hadHostnames: run.hadHostnames });
          expect((await emulatorResourcesOf(run.id)).customHostnames.map((made) => made.hostname)).toEqual([
            hostOf(run.id),
          ]);
          expect((await api("PATCH", `/v1/tenants/${run.id}`, { hostnames: [] })).status).toBe(202);
          const tenant = await settled(run.id, ["active", "failed"]);
          expect(tenant.operation?.state, JSON.stringify(tenant.operation)).toBe("succeeded");
          expect(tenant.hostnames).not.toContain(hostOf(run.id));
          await expectResourcesMatchRegistry(tenant, { hadHostnames: run.hadHostnames });
          expect((await emulatorResourcesOf(run.id)).customHostnames).toEqual([]);
          break;
        }
        case "delete": {
          expect(run.tenant.state).toBe("failed");
          expect((await api("DELETE", `/v1/tenants/${run.id}`)).status).toBe(202);
          const tenant = await settled(run.id, ["deleted", "failed"]);
          expect(tenant.state).toBe("deleted");
          await expectResourcesMatchRegistry(tenant, { hadHostnames: run.hadHostnames, secretValues: [run.secret] });
          break;
        }
      }
    });
  }

  it("a failed tenant can be deleted, and then onboarded again under the same id", async () => {
    const id = uniqueId("again");
    await injectFault({ method: "POST", path: `${ACCOUNT}/d1/database`, times: 100_000, action: serverError });
    await api("POST", "/v1/tenants", newTenant(id));
    expect((await settled(id, ["active", "failed"])).state).toBe("failed");
    await clearFaults();
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    expect((await settled(id, ["deleted", "failed"])).state).toBe("deleted");
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    await expectResourcesMatchRegistry(tenant);
  });
});

describe("each step rate limited (429, Retry-After: 1) twice", () => {
  for (const step of STEPS) {
    it(`${titleOf(step)}: both Retry-Afters are honoured, and the operation succeeds`, async () => {
      let limited: { id: string } | undefined;
      let next: { id: string } | undefined;
      const run = await runWithFault(step, async (tenant) => {
        limited = await faultStep(step, tenant, 2, rateLimited);
        // Lets the next attempt through, noting when it came.
        next = await injectFault({ ...step.call(tenant), times: 1, action: { kind: "delay", ms: 0 } });
      });
      await expectDone(step, run);
      // The emulator's own record of when each attempt came: each one at least a Retry-After after the 429 before it.
      const [first, second] = (await faultNow(limited?.id as string)).hitsAt;
      const [third] = (await faultNow(next?.id as string)).hitsAt;
      expect([first, second, third].every((at) => typeof at === "number")).toBe(true);
      expect((second as number) - (first as number)).toBeGreaterThanOrEqual(1000);
      expect((third as number) - (second as number)).toBeGreaterThanOrEqual(1000);
    });
  }
});

describe("a call that succeeds and then loses its answer", () => {
  for (const step of STEPS.filter((candidate) => candidate.creates)) {
    it(`${titleOf(step)}: the operation succeeds, with nothing made twice`, async () => {
      let rule: { id: string } | undefined;
      const run = await runWithFault(step, async (tenant) => {
        rule = await faultStep(step, tenant, 1, { kind: "lose" });
      });
      expect((await faultNow(rule?.id as string)).hits).toBe(1);
      // One KV namespace, bucket and database, each the one the registry and the script name.
      await expectDone(step, run);
      if (step.step === "apply_migrations") {
        const applied = await d1Query(run.tenant, "SELECT name FROM d1_migrations ORDER BY name");
        expect(applied).toEqual([{ name: "0001_notes.sql" }]);
      }
    });
  }

  it("create_custom_hostnames' answer lost: the next attempt adopts the one it made, found by hostname, and creates none", async () => {
    const id = uniqueId("adopt");
    const create = { method: "POST", path: CUSTOM_HOSTNAMES };
    const lost = await injectFault({ ...create, times: 1, action: { kind: "lose" } });
    // Counts any create after the lost one (and lets it through).
    const later = await injectFault({ ...create, times: 100, action: { kind: "delay", ms: 0 } });
    expect((await api("POST", "/v1/tenants", newTenant(id, { hostnames: [hostOf(id)] }))).status).toBe(202);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
    expect((await faultNow(lost.id)).hits).toBe(1);
    expect((await faultNow(later.id)).hits, "a create after the lost one").toBe(0);
    const step = await testEnv.DB.prepare(
      "SELECT s.attempts, s.state FROM operation_steps s JOIN operations o ON o.id = s.operation_id WHERE o.tenant_id = ? AND s.name = 'create_custom_hostnames'",
    )
      .bind(id)
      .first<{ attempts: number; state: string }>();
    expect(step).toEqual({ attempts: 2, state: "succeeded" });
    // The one the lost call made, recorded under its id and shown to the tenant.
    const [made] = (await emulatorResourcesOf(id)).customHostnames;
    expect(made?.hostname).toBe(hostOf(id));
    expect(tenant.customHostnames.map((view) => view.hostname)).toEqual([hostOf(id)]);
    await expectResourcesMatchRegistry(tenant, { hadHostnames: [`${id}.localhost`, hostOf(id)] });
  });

  /**
   * For each resource: the call its step's next attempt makes after the lost create, refused for good.
   * KV, D1, a custom hostname: the lookup (a create meeting "already exists" looks the resource up);
   * R2: the create again (a bucket is its name: "already exists" needs no lookup).
   */
  const LOOKUPS = [
    {
      resource: "kv",
      create: "create_kv",
      lookup: () => ({ method: "GET", path: `${ACCOUNT}/storage/kv/namespaces` }),
    },
    {
      resource: "r2",
      create: "create_r2",
      lookup: (_id: string) => ({ method: "POST", path: `${ACCOUNT}/r2/buckets` }),
    },
    { resource: "d1", create: "create_d1", lookup: () => ({ method: "GET", path: `${ACCOUNT}/d1/database` }) },
    {
      resource: "hostname",
      create: "create_custom_hostnames",
      lookup: () => ({ method: "GET", path: CUSTOM_HOSTNAMES }),
    },
  ] as const;
  for (const { resource, create, lookup } of LOOKUPS) {
    it(`${create}'s answer lost, then the provisioning fails for good: the teardown finds the ${resource} by name and removes it`, async () => {
      const id = uniqueId(`lost-${resource}`);
      const step = STEPS.find((candidate) => candidate.step === create) as StepCase;
      // The create runs and its answer never comes (the client gives up after its timeout), so the
      // registry never learns the id; while the answer is held, the call that comes next (LOOKUPS) is
      // refused for good (403), so the provisioning rolls back without having recorded what it made.
      const lost = await injectFault({
        ...step.call({ id, resources: { kv: null, r2: null, d1: null } }),
        times: 1,
        action: { kind: "lose", ms: 60_000 },
      });
      expect((await api("POST", "/v1/tenants", newTenant(id, { hostnames: [hostOf(id)] }))).status).toBe(202);
      while ((await faultNow(lost.id)).hits === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const refused = await injectFault({
        ...lookup(id),
        times: 1,
        action: { kind: "fail", status: 403, code: 10000, message: "Injected: Authentication error" },
      });
      const tenant = await settled(id, ["active", "failed"]);
      expect(tenant.state).toBe("failed");
      expect(tenant.lastError?.message).toContain("Injected: Authentication error");
      // The create did run (its resource existed, unrecorded), and the next call was refused.
      expect((await faultNow(lost.id)).hits).toBe(1);
      expect((await faultNow(refused.id)).hits).toBe(1);
      expect(tenant.resources).toEqual({ kv: null, r2: null, d1: null });
      expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false, customHostnames: [] });
      await expectResourcesMatchRegistry(tenant, { hadHostnames: [`${id}.localhost`, hostOf(id)] });
    });
  }
});

describe("crashes", () => {
  it("the control plane's objects are reset while a step waits on the API: the step runs again and the tenant ends active", async () => {
    const id = uniqueId("crash");
    // D1's create hangs (longer than the client's timeout): the reset must come while the call is in flight.
    const hang = await injectFault({
      method: "POST",
      path: `${ACCOUNT}/d1/database`,
      times: 1,
      action: { kind: "hang", ms: 60_000 },
    });
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    let before: TenantView | undefined;
    for (;;) {
      before = (await api("GET", `/v1/tenants/${id}`)).json;
      if (before.operation?.step === "create_d1" && (await faultNow(hang.id)).hits === 1) break;
      expect(before.state, "the provisioning ended before the reset").toBe("provisioning");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Mid-step: the operation is running create_d1, whose call is held by the emulator right now.
    expect(before?.operation).toMatchObject({ state: "running", step: "create_d1" });
    await abortAllDurableObjects();
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    // Run twice and never failed: the first run was cut by the reset, not ended by a timeout or an error.
    const row = await testEnv.DB.prepare(
      "SELECT s.attempts, s.state, o.error FROM operation_steps s JOIN operations o ON o.id = s.operation_id WHERE o.tenant_id = ? AND s.name = 'create_d1'",
    )
      .bind(id)
      .first<{ attempts: number; state: string; error: string | null }>();
    expect(row).toEqual({ attempts: 2, state: "succeeded", error: null });
    await expectResourcesMatchRegistry(tenant);
    expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
  });
});

describe("deleting", () => {
  it("removes the script, the routes, KV, R2 (emptied first) and D1; the tenant ends deleted", async () => {
    const id = uniqueId("gone");
    await api("POST", "/v1/tenants", newTenant(id, { hostnames: [`shop.${id}.example.com`] }));
    const active = await settled(id, ["active"]);
    // Something in the bucket, so that it has to be emptied before it can go.
    expect(await (await visit(id, "/r2")).text()).toBe("r2-ok");
    const deleting = await api("DELETE", `/v1/tenants/${id}`);
    expect(deleting.status).toBe(202);
    expect(deleting.json.state).toBe("deleting");
    const tenant = await settled(id, ["deleted", "failed"]);
    expect(tenant.state).toBe("deleted");
    // Nothing left under the names or the ids it had, and no route under any of its hostnames.
    expect(
      await emulatorResourcesOf(id, {
        kv: active.resources.kv?.id,
        r2: active.resources.r2?.name,
        d1: active.resources.d1?.id,
      }),
    ).toEqual({
      kv: [],
      r2: [],
      d1: [],
      script: false,
      customHostnames: [],
    });
    await expectResourcesMatchRegistry(tenant, { hadHostnames: active.hostnames });
    for (const hostname of active.hostnames) expect(await routeOf(hostname)).toBeNull();
    expect((await visit(id, "/")).status).toBe(404);
    // Deleting again: the tenant is gone.
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(404);
  });
});

describe("changes queued behind a provisioning that fails", () => {
  it("are not run: no script is uploaded for a tenant that ended failed", async () => {
    const id = uniqueId("queued");
    await injectFault({ method: "POST", path: `${ACCOUNT}/d1/database`, times: 100_000, action: serverError });
    expect((await api("POST", "/v1/tenants", newTenant(id, { script: undefined }))).status).toBe(202);
    const deploy = await api("PUT", `/v1/tenants/${id}/script`, newTenant(id).script);
    expect(deploy.status, deploy.text).toBe(202);
    const tenant = await settled(id, ["failed"]);
    await clearFaults();
    expect(tenant.operation?.kind).toBe("deploy");
    expect(tenant.operation?.error?.code).toBe("cancelled");
    expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false, customHostnames: [] });
  });
});

/** Rows of a query on the tenant's D1 database, through the emulator's API. */
async function d1Query(tenant: TenantView, sql: string): Promise<unknown[]> {
  const response = await testEnv.EMULATOR.fetch(
    `http://emulator/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/d1/database/${tenant.resources.d1?.id}/query`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ sql }),
    },
  );
  const [result] = ((await response.json()) as { result: { results: unknown[] }[] }).result;
  return result?.results ?? [];
}
