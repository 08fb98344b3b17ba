import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../cloudflare-api/names";
import type { ErrorCode, ScriptSource } from "../../../platform/tenants-api";
import { expectError, expectNothingCreated } from "./api-support";
import {
  api,
  ensureNamespace,
  expectResourcesMatchRegistry,
  NOTES_APP,
  newTenant,
  settled,
  TOKEN,
  uniqueId,
} from "./support";

const controlPlane = (exports as unknown as { default: Fetcher }).default;

beforeAll(ensureNamespace);

/** A tenant with no script and no resources: recorded at once, settled in a moment. */
const bareTenant = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  plan: "pro",
  resources: { kv: false, r2: false, d1: false },
  ...overrides,
});

/** Onboards a tenant (with a script: see "a tenant without a script") and waits for it to be active. */
async function activeTenant(prefix: string, overrides: Record<string, unknown> = {}) {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", bareTenant(id, { script: NOTES_APP, ...overrides }));
  expect(created.status, created.text).toBe(202);
  return settled(id, ["active"]);
}

/** A script of `bytes` bytes in `parts` modules, none of which is over the limit alone when parts > 1. */
function bigScript(bytes: number, parts = 1): ScriptSource {
  const size = Math.ceil(bytes / parts);
  const body = (i: number) => `export const pad${i} = "${"a".repeat(size - 30)}";\n`.padEnd(size, " ");
  const modules: Record<string, string> = { "index.js": "export default { fetch() { return new Response('ok'); } };" };
  for (let i = 0; i < parts; i++) modules[`pad${i}.js`] = body(i);
  return { mainModule: "index.js", modules };
}

/** POSTs a new tenant with `script`, which must be refused with `status` and `code` (naming `field`), creating nothing. */
async function refusedScript(script: ScriptSource, status: number, code: ErrorCode, field?: string) {
  const id = uniqueId("script");
  const error = expectError(await api("POST", "/v1/tenants", newTenant(id, { script })), status, code, field);
  await expectNothingCreated(id);
  return error;
}

describe("POST /v1/tenants refuses bad input, and creates nothing", () => {
  it.each([
    ["uppercase letters", "Acme"],
    ["too short", "ab"],
    ["too long", "a".repeat(33)],
    ["a leading hyphen", "-acme"],
    ["a trailing hyphen", "acme-"],
    ["an underscore", "ac_me"],
    ["a dot", "ac.me"],
  ])("a tenant id with %s", async (_, id) => {
    expectError(await api("POST", "/v1/tenants", bareTenant(id)), 400, "invalid_request", "id");
    await expectNothingCreated(id);
  });

  it.each(["www", "api", "admin", "dispatcher", "control-plane", "emulator", "localhost"])(
    "the reserved tenant id %s",
    async (id) => {
      const error = expectError(await api("POST", "/v1/tenants", bareTenant(id)), 400, "invalid_request", "id");
      expect(error.message).toMatch(/reserved/);
      await expectNothingCreated(id);
    },
  );

  it.each([
    ["a space", "a b"],
    ["an IPv4 address", "192.0.2.10"],
    ["an IPv6 address", "[2001:db8::1]"],
    ["a single label", "intranet"],
    ["a URL", "https://shop.example.com/"],
    ["a label over 63 characters", `${"a".repeat(64)}.example.com`],
    ["a label with a leading hyphen", "-shop.example.com"],
    ["the platform's domain", "localhost"],
    ["the platform's own IP", "127.0.0.1"],
    ["another tenant's name under the platform's domain", "other.localhost"],
    ["a name under another tenant's name", "www.other.localhost"],
  ])("a hostname that is %s", async (_, hostname) => {
    const id = uniqueId("host");
    const answer = await api("POST", "/v1/tenants", bareTenant(id, { hostnames: ["fine.example.com", hostname] }));
    expectError(answer, 400, "invalid_request", "hostnames.1");
    await expectNothingCreated(id);
  });

  it("accepts the tenant's own name and names under it", async () => {
    const id = uniqueId("own");
    const created = await api(
      "POST",
      "/v1/tenants",
      bareTenant(id, { hostnames: [`${id}.localhost`, `shop.${id}.localhost`] }),
    );
    expect(created.status, created.text).toBe(202);
    // Claimed at once, live once routed.
    expect(created.json.pending?.hostnames).toEqual([`${id}.localhost`, `shop.${id}.localhost`]);
    expect((await settled(id, ["active"])).hostnames).toEqual([`${id}.localhost`, `shop.${id}.localhost`]);
  });

  it("a hostname another tenant has: 409 hostname_taken naming it, and nothing created", async () => {
    const hostname = `${uniqueId("shop")}.example.com`;
    const owner = await activeTenant("owner", { hostnames: [hostname] });
    const id = uniqueId("thief");
    const error = expectError(
      await api("POST", "/v1/tenants", bareTenant(id, { hostnames: [hostname.toUpperCase()] })),
      409,
      "hostname_taken",
    );
    expect(error.message).toContain(hostname);
    await expectNothingCreated(id);
    expect((await api("GET", `/v1/tenants/${owner.id}`)).json.hostnames).toContain(hostname);
  });

  it("modules over 10 MiB in all (no one of them over it alone)", async () => {
    const script = bigScript(MAX_SCRIPT_UPLOAD_BYTES + 1024, 2);
    const error = await refusedScript(script, 400, "invalid_request", "script.modules");
    expect(error.message).toMatch(/10 MiB/);
  });

  it("modules counted in bytes, not characters", async () => {
    // 3 Mi four-byte characters: 6 Mi UTF-16 code units, 12 MiB of UTF-8.
    const script: ScriptSource = {
      mainModule: "index.js",
      modules: {
        "index.js": `export default { fetch() { return new Response("${"😀".repeat(3 * 1024 * 1024)}"); } };`,
      },
    };
    await refusedScript(script, 400, "invalid_request", "script.modules");
  });

  it("a body over the request limit: 413 payload_too_large", async () => {
    await refusedScript(bigScript(3 * MAX_SCRIPT_UPLOAD_BYTES, 3), 413, "payload_too_large");
  });

  it("a mainModule not among the modules", async () => {
    const script = { ...NOTES_APP, mainModule: "worker.js" };
    const error = await refusedScript(script, 400, "invalid_request", "script.mainModule");
    expect(error.message).toContain("worker.js");
  });

  it("a script the Cloudflare API refuses (10021): 422 with the API's message, and nothing created", async () => {
    const script: ScriptSource = {
      mainModule: "index.js",
      modules: { "index.js": "export default { fetch( { return 1; } };" },
    };
    const error = await refusedScript(script, 422, "script_rejected");
    expect(error.message).toMatch(/SyntaxError/);
  });

  it.each([
    ["an unknown top-level field", { colour: "red" }, "colour"],
    ["an unknown field in resources", { resources: { kv: true, s3: true } }, "s3"],
    ["an unknown field in the script", { script: { ...NOTES_APP, entry: "index.js" } }, "entry"],
  ])("%s", async (_, extra, field) => {
    const id = uniqueId("unknown");
    const error = expectError(
      await api("POST", "/v1/tenants", { ...bareTenant(id), ...extra }),
      400,
      "invalid_request",
    );
    expect(JSON.stringify(error)).toContain(field);
    await expectNothingCreated(id);
  });

  it.each([
    ["plan", { plan: 5 }],
    ["plan", { plan: "platinum" }],
    ["hostnames", { hostnames: "shop.example.com" }],
    ["resources.kv", { resources: { kv: "yes" } }],
    ["vars.GREETING", { vars: { GREETING: 1 } }],
    ["vars", { vars: { KV: "shadowing the binding" } }],
    ["secrets.GREETING", { vars: { GREETING: "hi" }, secrets: { GREETING: "also a var" } }],
    ["script.modules", { script: { mainModule: "index.js", modules: ["index.js"] } }],
    ["script.compatibilityDate", { script: { ...NOTES_APP, compatibilityDate: "tomorrow" } }],
  ])("a wrong type or value in %s", async (field, extra) => {
    const id = uniqueId("type");
    expectError(await api("POST", "/v1/tenants", { ...bareTenant(id), ...extra }), 400, "invalid_request", field);
    await expectNothingCreated(id);
  });

  it("a missing required field", async () => {
    const id = uniqueId("noplan");
    expectError(await api("POST", "/v1/tenants", { id }), 400, "invalid_request", "plan");
    await expectNothingCreated(id);
  });

  it.each([
    ["malformed JSON", (id: string) => `{"id": "${id}", "plan": "pro"`, "application/json"],
    ["an empty body", () => "", "application/json"],
    ["JSON that is not an object", (id: string) => JSON.stringify([id, "pro"]), "application/json"],
    ["JSON null", () => "null", "application/json"],
    ["a form", (id: string) => `id=${id}&plan=pro`, "application/x-www-form-urlencoded"],
    ["JSON sent as text", (id: string) => JSON.stringify(bareTenant(id)), "text/plain"],
  ])("a body that is %s", async (_, body, type) => {
    const id = uniqueId("notjson");
    const answer = await api("POST", "/v1/tenants", body(id), { "content-type": type });
    expectError(answer, 400, "invalid_request");
    await expectNothingCreated(id);
  });
});

describe("idempotent creation", () => {
  it("the same POST twice: both 202, one tenant, one set of resources", async () => {
    const id = uniqueId("twice");
    const body = newTenant(id, { hostnames: [`${id}.example.com`], secrets: { API_KEY: "k" } });
    const first = await api("POST", "/v1/tenants", body);
    const second = await api("POST", "/v1/tenants", body);
    expect([first.status, second.status], second.text).toEqual([202, 202]);
    expect(second.json.createdAt).toBe(first.json.createdAt);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    const third = await api("POST", "/v1/tenants", body);
    expect(third.status, third.text).toBe(202);
    expect(third.json).toMatchObject({
      id,
      state: "active",
      createdAt: first.json.createdAt,
      resources: tenant.resources,
    });
    expect(third.json.operation?.state ?? "succeeded").toBe("succeeded");
    await expectResourcesMatchRegistry(tenant);
  });

  it("the same id with another body: 409 conflict, and the tenant is unchanged", async () => {
    const before = await activeTenant("clash", { vars: { GREETING: "hi" } });
    for (const change of [{ plan: "free" }, { vars: { GREETING: "bye" } }, { hostnames: ["clash.example.org"] }]) {
      const error = expectError(
        await api("POST", "/v1/tenants", bareTenant(before.id, { vars: { GREETING: "hi" }, ...change })),
        409,
        "conflict",
      );
      expect(error.message).toContain(before.id);
    }
    const after = await api("GET", `/v1/tenants/${before.id}`);
    expect(after.json).toEqual(before);
  });
});

describe("a tenant without a script", () => {
  it("is provisioned too: it reaches active without any other request", async () => {
    const id = uniqueId("noscript");
    const created = await api("POST", "/v1/tenants", { id, plan: "pro" });
    expect(created.status, created.text).toBe(202);
    const tenant = await settled(id, ["active", "failed"], 15_000);
    expect(tenant.state).toBe("active");
    expect(tenant.script).toBeNull();
    await expectResourcesMatchRegistry(tenant);
  });
});

describe("changes to a tenant that does not exist: 404, and nothing created", () => {
  const id = uniqueId("ghost");
  it.each([
    ["GET", `/v1/tenants/${id}`, undefined],
    ["PATCH", `/v1/tenants/${id}`, { plan: "free" }],
    ["DELETE", `/v1/tenants/${id}`, undefined],
    ["PUT", `/v1/tenants/${id}/script`, NOTES_APP],
    ["PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "v" }],
    ["DELETE", `/v1/tenants/${id}/secrets/API_KEY`, undefined],
  ])("%s %s", async (method, path, body) => {
    const error = expectError(await api(method, path, body), 404, "not_found");
    expect(error.message).toContain(id);
    await expectNothingCreated(id);
  });
});

describe("bad input to the other routes", () => {
  it("PATCH with nothing to change, unknown fields or bad values: 400, and the tenant is unchanged", async () => {
    const before = await activeTenant("patch");
    const path = `/v1/tenants/${before.id}`;
    expect(expectError(await api("PATCH", path, {}), 400, "invalid_request").message).toMatch(/nothing to change/);
    expect(
      JSON.stringify(expectError(await api("PATCH", path, { plan: "free", colour: "red" }), 400, "invalid_request")),
    ).toContain("colour");
    expectError(await api("PATCH", path, { suspended: "yes" }), 400, "invalid_request", "suspended");
    expectError(await api("PATCH", path, { hostnames: ["other.localhost"] }), 400, "invalid_request", "hostnames.0");
    expectError(await api("PATCH", path, "{plan: free}"), 400, "invalid_request");
    expect((await api("GET", path)).json).toEqual(before);
  });

  it("a PATCH to a hostname another tenant has: 409 hostname_taken", async () => {
    const hostname = `${uniqueId("taken")}.example.com`;
    await activeTenant("holder", { hostnames: [hostname] });
    const before = await activeTenant("taker");
    expectError(await api("PATCH", `/v1/tenants/${before.id}`, { hostnames: [hostname] }), 409, "hostname_taken");
    expect((await api("GET", `/v1/tenants/${before.id}`)).json).toEqual(before);
  });

  it("a tenant id that is not one, in the path: 400 naming it", async () => {
    expectError(await api("GET", "/v1/tenants/Not_An_Id"), 400, "invalid_request", "id");
  });

  it("secret names and bodies that are wrong: 400 naming the problem", async () => {
    const { id } = await activeTenant("secretin");
    expectError(await api("PUT", `/v1/tenants/${id}/secrets/1BAD`, { value: "v" }), 400, "invalid_request", "name");
    expectError(await api("PUT", `/v1/tenants/${id}/secrets/KV`, { value: "v" }), 400, "invalid_request", "name");
    expectError(await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "" }), 400, "invalid_request", "value");
    expectError(await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: 1 }), 400, "invalid_request", "value");
    expect(
      JSON.stringify(
        expectError(
          await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "v", ttl: 1 }),
          400,
          "invalid_request",
        ),
      ),
    ).toContain("ttl");
    expectError(
      await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, "v", { "content-type": "text/plain" }),
      400,
      "invalid_request",
    );
    expect((await api("GET", `/v1/tenants/${id}`)).json.secrets).toEqual([]);
  });

  it("PUT script with a mainModule not among the modules: 400, and the tenant keeps its code", async () => {
    const id = uniqueId("deploy");
    await api("POST", "/v1/tenants", newTenant(id));
    const before = await settled(id, ["active"]);
    expectError(
      await api("PUT", `/v1/tenants/${id}/script`, { ...NOTES_APP, mainModule: "nope.js" }),
      400,
      "invalid_request",
      "mainModule",
    );
    expectError(await api("PUT", `/v1/tenants/${id}/script`, { ...NOTES_APP, extra: true }), 400, "invalid_request");
    expect((await api("GET", `/v1/tenants/${id}`)).json.script).toEqual(before.script);
  });

  it("an unknown method on a known path: 405 method_not_allowed", async () => {
    const answer = await api("PUT", "/v1/tenants", {});
    expectError(answer, 405, "method_not_allowed");
    expect(answer.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "POST"]);
    const secret = await api("GET", "/v1/tenants/some-tenant/secrets/API_KEY");
    expectError(secret, 405, "method_not_allowed");
    expect(secret.headers.get("allow")?.split(", ").sort()).toEqual(["DELETE", "PUT"]);
  });

  it("an unknown path under /v1: 404 in the error shape", async () => {
    expectError(await api("GET", "/v1/nothing-here"), 404, "not_found");
  });
});

describe("listing", () => {
  it("pages with a cursor, in id order, each tenant once", async () => {
    const prefix = uniqueId("page");
    const ids = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
    for (const id of ids) expect((await api("POST", "/v1/tenants", bareTenant(id))).status).toBe(202);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await api("GET", `/v1/tenants?limit=2${query}`);
      expect(page.status, page.text).toBe(200);
      const { tenants, cursor: next } = page.json as unknown as { tenants: { id: string }[]; cursor: string | null };
      expect(tenants.length).toBeLessThanOrEqual(2);
      if (next !== null) expect(tenants.length).toBe(2);
      seen.push(...tenants.map((tenant) => tenant.id));
      cursor = next;
    } while (cursor !== null);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => id.startsWith(prefix))).toEqual(ids);
  });

  it("filters by plan and by state", async () => {
    const prefix = uniqueId("filter");
    const plans = ["free", "pro", "enterprise"] as const;
    for (const plan of plans) {
      expect(
        (await api("POST", "/v1/tenants", bareTenant(`${prefix}-${plan}`, { plan, script: NOTES_APP }))).status,
      ).toBe(202);
    }
    for (const plan of plans) await settled(`${prefix}-${plan}`, ["active"]);
    const mine = async (query: string) => {
      const answer = await api("GET", `/v1/tenants?limit=100&${query}`);
      expect(answer.status, answer.text).toBe(200);
      const { tenants } = answer.json as unknown as { tenants: { id: string; plan: string; state: string }[] };
      return tenants;
    };
    const free = await mine("plan=free");
    expect(free.every((tenant) => tenant.plan === "free")).toBe(true);
    expect(free.map((t) => t.id).filter((id) => id.startsWith(prefix))).toEqual([`${prefix}-free`]);
    const active = await mine("state=active&plan=enterprise");
    expect(active.every((tenant) => tenant.state === "active" && tenant.plan === "enterprise")).toBe(true);
    expect(active.map((t) => t.id).filter((id) => id.startsWith(prefix))).toEqual([`${prefix}-enterprise`]);
    expect((await mine("state=deleted")).map((t) => t.id).filter((id) => id.startsWith(prefix))).toEqual([]);
  });

  it.each([
    ["a cursor that is not base64", "cursor=not*a*cursor", "cursor"],
    ["a cursor it did not give", `cursor=${btoa("Not A Tenant")}`, "cursor"],
    ["a cursor over the limit", `cursor=${"a".repeat(201)}`, "cursor"],
    ["a limit of 0", "limit=0", "limit"],
    ["a limit over 100", "limit=101", "limit"],
    ["a limit that is not a number", "limit=ten", "limit"],
    ["an unknown state", "state=sleeping", "state"],
    ["an unknown plan", "plan=platinum", "plan"],
    ["an unknown parameter", "sort=id", "sort"],
  ])("refuses %s: 400 naming it", async (_, query, field) => {
    const error = expectError(await api("GET", `/v1/tenants?${query}`), 400, "invalid_request");
    expect(JSON.stringify(error)).toContain(field);
  });
});

describe("resources after refused requests", () => {
  it("a refused change leaves the emulator holding exactly what the registry says", async () => {
    const id = uniqueId("intact");
    await api("POST", "/v1/tenants", newTenant(id));
    const tenant = await settled(id, ["active"]);
    await api("PATCH", `/v1/tenants/${id}`, { colour: "red" });
    const refused = await api("PUT", `/v1/tenants/${id}/script`, {
      mainModule: "index.js",
      modules: { "index.js": "export default {" },
    });
    expectError(refused, 422, "script_rejected");
    const after = await settled(id, ["active", "failed"]);
    expect(after.state).toBe("active");
    expect(after.script?.etag).toBe(tenant.script?.etag);
    await expectResourcesMatchRegistry(after);
  });
});

describe("a body is counted as it arrives", () => {
  it("a chunked body over the limit (no Content-Length): 413, without the rest of it being read", async () => {
    const id = uniqueId("chunked");
    const total = 60 * 1024 * 1024;
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    // JSON that would parse: the object, then 60 MB of whitespace.
    const head = new TextEncoder().encode(JSON.stringify(bareTenant(id)));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        if (sent >= total) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await controlPlane.fetch("http://control-plane/v1/tenants", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.headers.get("content-length"), "sent chunked").toBeNull();
    const text = await response.text();
    expectError({ status: response.status, text, json: JSON.parse(text) }, 413, "payload_too_large");
    expect(sent).toBeLessThan(total / 2);
    await expectNothingCreated(id);
  });
});

describe("names are compared as the object's own, never through its prototype", () => {
  it.each(["toString", "constructor", "hasOwnProperty", "valueOf"])(
    "a secret named %s is a secret like any other, not taken for a var",
    async (name) => {
      const id = uniqueId("proto");
      expect((await api("POST", "/v1/tenants", bareTenant(id))).status).toBe(202);
      await settled(id, ["active"]);
      const put = await api("PUT", `/v1/tenants/${id}/secrets/${name}`, { value: "v" });
      expect(put.status, put.text).toBe(202);
      expect((await settled(id, ["active"])).secrets).toEqual([name]);
    },
  );

  it.each([
    ["POST vars", "POST", () => "/v1/tenants", (id: string) => `{"id":"${id}","plan":"pro","vars":{"__proto__":"x"}}`],
    [
      "POST secrets",
      "POST",
      () => "/v1/tenants",
      (id: string) => `{"id":"${id}","plan":"pro","secrets":{"__proto__":"x"}}`,
    ],
  ])("%s with __proto__ as a name: 400 naming it, not dropped", async (_, method, path, body) => {
    const id = uniqueId("proto");
    const error = expectError(await api(method, path(), body(id)), 400, "invalid_request");
    expect(JSON.stringify(error)).toContain("__proto__");
    await expectNothingCreated(id);
  });

  it("PATCH vars with __proto__ as a name: 400 naming it, and the vars stay", async () => {
    const id = uniqueId("proto");
    expect((await api("POST", "/v1/tenants", bareTenant(id, { vars: { A: "1" } }))).status).toBe(202);
    await settled(id, ["active"]);
    const error = expectError(
      await api("PATCH", `/v1/tenants/${id}`, '{"vars":{"__proto__":"x","B":"2"}}'),
      400,
      "invalid_request",
    );
    expect(JSON.stringify(error)).toContain("__proto__");
    expect((await settled(id, ["active"])).vars).toEqual({ A: "1" });
  });

  it("a var named constructor is kept", async () => {
    const id = uniqueId("proto");
    expect((await api("POST", "/v1/tenants", bareTenant(id, { vars: { constructor: "c" } }))).status).toBe(202);
    expect((await settled(id, ["active"])).vars).toEqual({ constructor: "c" });
  });
});
