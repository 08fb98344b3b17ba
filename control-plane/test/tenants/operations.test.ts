import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type OperationHistoryView, OperationList } from "../../../platform/tenants-api";
import { anonymous, expectError } from "./api-support";
import { api, clearFaults, ensureNamespace, injectFault, settled, uniqueId } from "./support";

// GET /v1/tenants/{id}/operations: what the registry recorded of each operation, step by step.

beforeAll(ensureNamespace);
afterEach(clearFaults);

async function operationsOf(id: string, query = ""): Promise<OperationList> {
  const answer = await api("GET", `/v1/tenants/${id}/operations${query}`);
  expect(answer.status, answer.text).toBe(200);
  return OperationList.parse(answer.json);
}

/** A tenant with a KV namespace only: its provisioning has few steps. */
async function kvTenant(prefix: string): Promise<string> {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", { id, plan: "free", resources: { kv: true, r2: false, d1: false } });
  expect(created.status, created.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
  return id;
}

const stepNamed = (operation: OperationHistoryView | undefined, name: string) =>
  operation?.steps.find((step) => step.name === name);

describe("GET /v1/tenants/{id}/operations", () => {
  it("shows the provisioning's steps in the order they ran, with attempts and the failure a retry got past", async () => {
    // The KV namespace's create fails once (a 500, retried), then goes through.
    await injectFault({
      method: "POST",
      path: "/accounts/*/storage/kv/namespaces",
      times: 1,
      action: { kind: "fail", status: 500, code: 10000, message: "injected: try again" },
    });
    const id = await kvTenant("ops");
    const { operations, cursor } = await operationsOf(id);
    expect(cursor).toBeNull();
    expect(operations).toHaveLength(1);
    const [provision] = operations;
    expect(provision).toMatchObject({ kind: "provision", state: "succeeded", rolloutId: null });
    const names = provision?.steps.map((step) => step.name) ?? [];
    expect(names.slice(0, 2)).toEqual(["check_script", "create_kv"]);
    expect(names).toContain("settle");
    for (const step of provision?.steps ?? []) {
      expect(step.state, step.name).toBe("succeeded");
      expect(step.startedAt, step.name).not.toBeNull();
      expect(step.finishedAt, step.name).not.toBeNull();
      expect(Date.parse(step.finishedAt ?? "") >= Date.parse(step.startedAt ?? ""), step.name).toBe(true);
    }
    const kv = stepNamed(provision, "create_kv");
    expect(kv?.attempts).toBe(2);
    expect(kv?.lastError?.message).toContain("injected: try again");
    expect(stepNamed(provision, "check_script")).toMatchObject({ attempts: 1, lastError: null });
    // Each step starts once the one before it ended.
    const starts = provision?.steps.map((step) => Date.parse(step.startedAt ?? "")) ?? [];
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it("a script the API accepted lately: its check is recorded done with the tenant, in the same write", async () => {
    // Code of its own, so no other test's onboarding has had it accepted.
    const script = {
      mainModule: "index.js",
      modules: { "index.js": `export default { fetch: () => new Response("${uniqueId("accepted")}") };` },
    };
    const onboard = async (prefix: string) => {
      const id = uniqueId(prefix);
      const created = await api("POST", "/v1/tenants", {
        id,
        plan: "free",
        resources: { kv: true, r2: false, d1: false },
        script,
      });
      expect(created.status, created.text).toBe(202);
      expect((await settled(id, ["active", "failed"])).state).toBe("active");
      const [provision] = (await operationsOf(id)).operations;
      return { provision, check: stepNamed(provision, "check_script") };
    };

    // Checked: the step ran after the tenant was recorded, and its upload took time.
    const first = await onboard("ops-checked");
    expect(first.check).toMatchObject({ state: "succeeded", attempts: 1 });
    expect(Date.parse(first.check?.finishedAt ?? "")).toBeGreaterThan(Date.parse(first.check?.startedAt ?? ""));
    // Accepted: written in the batch that recorded the operation, so the runner never ran it.
    const second = await onboard("ops-accepted");
    expect(second.check).toMatchObject({ state: "succeeded", attempts: 1, lastError: null });
    expect(second.check?.startedAt).toBe(second.provision?.createdAt);
    expect(second.check?.finishedAt).toBe(second.provision?.createdAt);
    expect(second.provision?.steps.map((step) => step.name).slice(0, 2)).toEqual(["check_script", "create_kv"]);
  });

  it("lists them newest first, a page at a time", async () => {
    const id = await kvTenant("ops-pages");
    for (const value of ["one", "two"]) {
      const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { VALUE: value } });
      expect(patched.status, patched.text).toBe(202);
      await settled(id, ["active"]);
    }
    const all = await operationsOf(id);
    expect(all.operations.map((operation) => operation.kind)).toEqual(["update", "update", "provision"]);
    expect(all.operations.every((operation) => operation.state === "succeeded")).toBe(true);

    const first = await operationsOf(id, "?limit=2");
    expect(first.operations.map((operation) => operation.id)).toEqual(all.operations.slice(0, 2).map((o) => o.id));
    expect(first.cursor).not.toBeNull();
    const second = await operationsOf(id, `?limit=2&cursor=${first.cursor}`);
    expect(second.operations.map((operation) => operation.id)).toEqual([all.operations[2]?.id]);
    expect(second.cursor).toBeNull();
  });

  it("shows a failed provisioning's failing step and its undoing", async () => {
    // Every create of the KV namespace fails: the provisioning gives up and undoes itself.
    await injectFault({
      method: "POST",
      path: "/accounts/*/storage/kv/namespaces",
      times: 100,
      action: { kind: "fail", status: 500, code: 10000, message: "injected: KV down" },
    });
    const id = uniqueId("ops-fail");
    const created = await api("POST", "/v1/tenants", {
      id,
      plan: "free",
      resources: { kv: true, r2: false, d1: false },
    });
    expect(created.status, created.text).toBe(202);
    expect((await settled(id, ["active", "failed"])).state).toBe("failed");
    const [provision] = (await operationsOf(id)).operations;
    expect(provision?.state).toBe("failed");
    expect(provision?.error?.message).toContain("injected: KV down");
    const kv = stepNamed(provision, "create_kv");
    expect(kv?.state).toBe("failed");
    expect(kv?.attempts).toBeGreaterThan(1);
    expect(kv?.lastError?.message).toContain("injected: KV down");
    const undoing = provision?.steps.filter((step) => step.name.startsWith("rollback:")) ?? [];
    expect(undoing.length).toBeGreaterThan(0);
    expect(undoing.every((step) => step.state === "succeeded")).toBe(true);
    // The undoing comes after the step that failed.
    expect(provision?.steps.findIndex((step) => step.name === "create_kv")).toBeLessThan(
      provision?.steps.findIndex((step) => step.name.startsWith("rollback:")) ?? -1,
    );
  });

  it("refuses a bad query by name, an unknown tenant with 404, and a caller without the token", async () => {
    const id = await kvTenant("ops-bad");
    expectError(await api("GET", `/v1/tenants/${id}/operations?limit=0`), 400, "invalid_request", "limit");
    expectError(await api("GET", `/v1/tenants/${id}/operations?limit=51`), 400, "invalid_request", "limit");
    expectError(await api("GET", `/v1/tenants/${id}/operations?cursor=abc`), 400, "invalid_request", "cursor");
    expectError(await api("GET", `/v1/tenants/${id}/operations?page=2`), 400, "invalid_request");
    expectError(await api("GET", `/v1/tenants/${uniqueId("none")}/operations`), 404, "not_found");
    expectError(await anonymous("GET", `/v1/tenants/${id}/operations`), 401, "unauthorized");
  });
});
