import { type Schema, Validator } from "@cfworker/json-schema";
import { beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { anonymous } from "./api-support";
import { assetFile, assetsForm, postAssets } from "./assets-support";
import { api, ensureNamespace, NOTES_APP, newTenant, settled, uniqueId } from "./support";

beforeAll(ensureNamespace);

type Json = Record<string, unknown>;
type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
};
type Document = Json & { openapi: string; paths: Record<string, Record<string, Operation>>; components?: Json };

/** Every /v1 method and path the issue asks for. */
const V1_OPERATIONS = [
  "get /v1/tenants",
  "post /v1/tenants",
  "get /v1/tenants/{id}",
  "patch /v1/tenants/{id}",
  "delete /v1/tenants/{id}",
  "put /v1/tenants/{id}/script",
  "put /v1/tenants/{id}/secrets/{name}",
  "delete /v1/tenants/{id}/secrets/{name}",
  "get /v1/tenants/{id}/logs",
  "get /v1/tenants/{id}/logs/live",
  "get /v1/tenants/{id}/traffic",
  "get /v1/tenants/{id}/versions",
  "get /v1/tenants/{id}/operations",
  "post /v1/tenants/{id}/deployments",
  "post /v1/tenants/{id}/rollback",
  "post /v1/tenants/{id}/custom-hostnames/{hostname}/check",
  "post /v1/rollouts",
  "get /v1/rollouts",
  "get /v1/rollouts/{id}",
  "post /v1/rollouts/{id}/resume",
  "post /v1/rollouts/{id}/rollback",
  "post /v1/assets/missing",
  "post /v1/assets",
  "get /v1/metrics/requests",
];
/** Those with a JSON body (POST /v1/assets is multipart: checked on its own). */
const WITH_BODY = [
  "post /v1/tenants",
  "patch /v1/tenants/{id}",
  "put /v1/tenants/{id}/script",
  "put /v1/tenants/{id}/secrets/{name}",
  "post /v1/tenants/{id}/deployments",
  "post /v1/tenants/{id}/rollback",
  "post /v1/tenants/{id}/custom-hostnames/{hostname}/check",
  "post /v1/rollouts",
  "post /v1/rollouts/{id}/resume",
  "post /v1/rollouts/{id}/rollback",
  "post /v1/assets/missing",
];

let document: Document;
beforeAll(async () => {
  const answer = await anonymous("GET", "/openapi.json");
  expect(answer.status, answer.text).toBe(200);
  expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
  document = answer.json as Document;
});

const operationsIn = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));

const operation = (key: string): Operation => {
  const [method, path] = key.split(" ") as [string, string];
  const found = document.paths[path]?.[method];
  if (found === undefined) throw new Error(`the document has no ${key}`);
  return found;
};

/** A JSON Schema from the document, resolved against the document (its $refs point into it). */
function problems(schema: Json | undefined, value: unknown): string[] {
  if (schema === undefined) return ["no schema"];
  const result = new Validator({ ...document, ...schema } as unknown as Schema, "2020-12", false).validate(value);
  return result.valid ? [] : result.errors.map((e) => `${e.instanceLocation} ${e.error}`);
}

/** The problems of one real answer against the schema the document gives for its operation and status. */
function answerProblems(key: string, answer: { status: number; json: unknown }): string[] {
  const response = operation(key).responses[String(answer.status)];
  if (response === undefined) return [`${key}: the document has no ${answer.status} answer`];
  return problems(response.content?.["application/json"]?.schema, answer.json).map(
    (problem) => `${key} ${answer.status}: ${problem}`,
  );
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with every /v1 operation, and only the ones the app serves", () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(operationsIn(document).sort()).toEqual([...V1_OPERATIONS].sort());
    const served = app.routes
      .filter((route) => route.method !== "ALL" && route.path.startsWith("/v1/"))
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    expect([...new Set(served)].sort()).toEqual([...V1_OPERATIONS].sort());
  });

  it("declares the Bearer scheme, and every operation requires it", () => {
    expect((document.components as { securitySchemes?: Json }).securitySchemes?.Bearer).toEqual({
      type: "http",
      scheme: "bearer",
    });
    for (const key of V1_OPERATIONS) expect(operation(key).security, key).toEqual([{ Bearer: [] }]);
  });

  it("describes each request body, and its schema agrees with the API", () => {
    for (const key of WITH_BODY) {
      const body = operation(key).requestBody;
      expect(body?.required, key).toBe(true);
      expect(body?.content?.["application/json"]?.schema, key).toBeDefined();
    }
    const create = operation("post /v1/tenants").requestBody?.content?.["application/json"]?.schema;
    expect(problems(create, newTenant("acme"))).toEqual([]);
    expect(problems(create, { ...newTenant("acme"), colour: "red" })).not.toEqual([]);
    expect(problems(create, { ...newTenant("acme"), plan: 5 })).not.toEqual([]);
    expect(problems(create, { plan: "pro" })).not.toEqual([]);
    const withAssets = {
      ...newTenant("acme"),
      script: { ...NOTES_APP, assets: { manifest: { "/a.html": { hash: "0".repeat(32), size: 1 } } } },
    };
    expect(problems(create, withAssets)).toEqual([]);
    expect(problems(create, { ...withAssets, script: { ...NOTES_APP, assets: null } })).toEqual([]);
    expect(
      problems(create, { ...withAssets, script: { ...NOTES_APP, assets: { manifest: {}, colour: 1 } } }),
    ).not.toEqual([]);
    const missing = operation("post /v1/assets/missing").requestBody?.content?.["application/json"]?.schema;
    expect(problems(missing, { hashes: ["0".repeat(32)] })).toEqual([]);
    expect(problems(missing, { hashes: ["x"] })).not.toEqual([]);
    // The files' upload is multipart: one binary part per file.
    const upload = operation("post /v1/assets").requestBody;
    expect(upload?.required).toBe(true);
    expect(Object.keys(upload?.content ?? {})).toEqual(["multipart/form-data"]);
    expect(upload?.content?.["multipart/form-data"]?.schema).toMatchObject({
      type: "object",
      additionalProperties: { type: "string", format: "binary" },
    });
  });

  it("describes the path and query parameters", () => {
    const names = (key: string, where: string) =>
      (operation(key).parameters ?? [])
        .filter((p) => p.in === where)
        .map((p) => p.name)
        .sort();
    expect(names("get /v1/tenants", "query")).toEqual(["cursor", "limit", "plan", "q", "state"]);
    expect(names("get /v1/tenants/{id}", "path")).toEqual(["id"]);
    expect(names("put /v1/tenants/{id}/secrets/{name}", "path")).toEqual(["id", "name"]);
    expect(names("get /v1/tenants/{id}/logs", "query")).toEqual(["before", "limit", "outcome"]);
    expect(names("get /v1/tenants/{id}/logs/live", "path")).toEqual(["id"]);
    expect(names("get /v1/tenants/{id}/traffic", "query")).toEqual(["since", "step", "until"]);
    expect(names("post /v1/tenants/{id}/custom-hostnames/{hostname}/check", "path")).toEqual(["hostname", "id"]);
    expect(names("get /v1/tenants/{id}/versions", "query")).toEqual(["cursor", "limit"]);
    expect(names("get /v1/tenants/{id}/operations", "query")).toEqual(["cursor", "limit"]);
    expect(names("put /v1/tenants/{id}/script", "query")).toEqual(["deploy"]);
    expect(names("get /v1/rollouts", "query")).toEqual(["cursor", "limit"]);
    expect(names("get /v1/metrics/requests", "query")).toEqual(["since", "tenants", "until"]);
    expect(Object.keys(operation("get /v1/tenants/{id}/logs/live").responses)).toContain("101");
  });

  it("gives every operation the error shape for 400 and 401", () => {
    for (const key of V1_OPERATIONS) {
      for (const status of ["400", "401"]) {
        const schema = operation(key).responses[status]?.content?.["application/json"]?.schema;
        expect(
          problems(schema, {
            error: { code: "invalid_request", message: "m", details: [{ path: "id", message: "m" }] },
          }),
          `${key} ${status}`,
        ).toEqual([]);
        expect(problems(schema, { message: "m" }), `${key} ${status}`).not.toEqual([]);
      }
    }
  });

  it("matches the API's real answers, successes and errors", async () => {
    const id = uniqueId("oas");
    const checked: string[] = [];
    const check = (key: string, answer: { status: number; json: unknown; text: string }, status: number) => {
      expect(answer.status, answer.text).toBe(status);
      expect(answerProblems(key, answer)).toEqual([]);
      checked.push(`${key} ${status}`);
      return answer;
    };

    check("post /v1/tenants", await api("POST", "/v1/tenants", newTenant(id)), 202);
    await settled(id, ["active"]);
    const got = check("get /v1/tenants/{id}", await api("GET", `/v1/tenants/${id}`), 200);
    check("get /v1/tenants", await api("GET", "/v1/tenants?limit=3"), 200);
    check("patch /v1/tenants/{id}", await api("PATCH", `/v1/tenants/${id}`, { vars: { GREETING: "hey" } }), 202);
    check(
      "put /v1/tenants/{id}/secrets/{name}",
      await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "v" }),
      202,
    );
    check("delete /v1/tenants/{id}/secrets/{name}", await api("DELETE", `/v1/tenants/${id}/secrets/API_KEY`), 202);
    check("get /v1/tenants/{id}/logs", await api("GET", `/v1/tenants/${id}/logs?limit=5&outcome=ok`), 200);
    check("get /v1/tenants/{id}/logs", await api("GET", `/v1/tenants/${id}/logs?limit=0`), 400);
    check("get /v1/tenants/{id}/logs", await api("GET", `/v1/tenants/${uniqueId("none")}/logs`), 404);
    check("get /v1/tenants/{id}/logs/live", await api("GET", `/v1/tenants/${id}/logs/live`), 426);
    check("get /v1/tenants/{id}/traffic", await api("GET", `/v1/tenants/${id}/traffic?since=30m`), 200);
    check("get /v1/tenants/{id}/traffic", await api("GET", `/v1/tenants/${id}/traffic?step=7`), 400);
    check("get /v1/tenants/{id}/traffic", await api("GET", `/v1/tenants/${uniqueId("none")}/traffic`), 404);
    check("put /v1/tenants/{id}/script", await api("PUT", `/v1/tenants/${id}/script`, NOTES_APP), 202);
    await settled(id, ["active"]);
    const versions = check("get /v1/tenants/{id}/versions", await api("GET", `/v1/tenants/${id}/versions`), 200);
    const [latest] = (versions.json as { versions: { id: string }[] }).versions;
    check("get /v1/tenants/{id}/versions", await api("GET", `/v1/tenants/${id}/versions?limit=0`), 400);
    const deployment = { versions: [{ id: latest?.id, percentage: 100 }] };
    check("post /v1/tenants/{id}/deployments", await api("POST", `/v1/tenants/${id}/deployments`, deployment), 202);
    await settled(id, ["active"]);
    check(
      "post /v1/tenants/{id}/deployments",
      await api("POST", `/v1/tenants/${id}/deployments`, { versions: [{ id: latest?.id, percentage: 60 }] }),
      400,
    );
    check("post /v1/tenants/{id}/rollback", await api("POST", `/v1/tenants/${id}/rollback`, {}), 202);
    await settled(id, ["active"]);
    check("post /v1/tenants/{id}/rollback", await api("POST", `/v1/tenants/${uniqueId("none")}/rollback`, {}), 404);
    const rollout = check(
      "post /v1/rollouts",
      await api("POST", "/v1/rollouts", { script: NOTES_APP, filter: { tenants: [id] } }),
      202,
    );
    const rolloutId = (rollout.json as { id: string }).id;
    check("get /v1/rollouts/{id}", await api("GET", `/v1/rollouts/${rolloutId}`), 200);
    // Its canary is its one tenant, so it never pauses: a resume is a 409 whether it still runs or has completed.
    check("post /v1/rollouts/{id}/resume", await api("POST", `/v1/rollouts/${rolloutId}/resume`, {}), 409);
    check("post /v1/rollouts/{id}/rollback", await api("POST", `/v1/rollouts/${rolloutId}/rollback`, {}), 202);
    check("post /v1/rollouts/{id}/rollback", await api("POST", `/v1/rollouts/${rolloutId}/rollback`, {}), 409);
    check("post /v1/rollouts/{id}/resume", await api("POST", `/v1/rollouts/${crypto.randomUUID()}/resume`, {}), 404);
    check("post /v1/rollouts/{id}/rollback", await api("POST", `/v1/rollouts/${rolloutId}/rollback`, { at: 1 }), 400);
    check("get /v1/rollouts", await api("GET", "/v1/rollouts?limit=2"), 200);
    check("get /v1/rollouts", await api("GET", "/v1/rollouts?cursor=nope"), 400);
    check("get /v1/tenants", await api("GET", `/v1/tenants?q=${id}`), 200);
    const hourAgo = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    check("get /v1/metrics/requests", await api("GET", `/v1/metrics/requests?tenants=${id}&since=${hourAgo}`), 200);
    check("get /v1/metrics/requests", await api("GET", `/v1/metrics/requests?tenants=${id}`), 400);

    check("post /v1/tenants", await api("POST", "/v1/tenants", { id, plan: 5 }), 400);
    check("post /v1/tenants", await api("POST", "/v1/tenants", newTenant(id, { plan: "free" })), 409);
    check("get /v1/tenants/{id}", await anonymous("GET", `/v1/tenants/${id}`), 401);
    check("get /v1/tenants/{id}", await api("GET", `/v1/tenants/${uniqueId("none")}`), 404);
    const file = assetFile("/oas.txt", "openapi");
    check("post /v1/assets/missing", await api("POST", "/v1/assets/missing", { hashes: [file.hash] }), 200);
    check("post /v1/assets/missing", await api("POST", "/v1/assets/missing", { hashes: ["x"] }), 400);
    check("post /v1/assets", { ...(await postAssets(assetsForm([file]))) }, 200);
    check("post /v1/assets", { ...(await postAssets(assetsForm([{ ...file, name: "x" }]))) }, 400);
    check(
      "put /v1/tenants/{id}/script",
      await api("PUT", `/v1/tenants/${id}/script`, {
        mainModule: "index.js",
        modules: { "index.js": "export default {" },
      }),
      422,
    );
    await settled(id, ["active"]);
    // A PATCH whose re-upload the API refuses: the script's startup throws with the new var.
    const touchy = {
      mainModule: "index.js",
      modules: {
        "index.js": `import { env } from "cloudflare:workers";
if (env.GREETING === "boom") throw new Error("boom");
export default { fetch: () => new Response("ok") };`,
      },
    };
    check("put /v1/tenants/{id}/script", await api("PUT", `/v1/tenants/${id}/script`, touchy), 202);
    await settled(id, ["active"]);
    check("patch /v1/tenants/{id}", await api("PATCH", `/v1/tenants/${id}`, { vars: { GREETING: "boom" } }), 422);
    await settled(id, ["active"]);
    // A secret removed while a version is staged beside the live one.
    check(
      "put /v1/tenants/{id}/secrets/{name}",
      await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "v" }),
      202,
    );
    await settled(id, ["active"]);
    check("put /v1/tenants/{id}/script", await api("PUT", `/v1/tenants/${id}/script?deploy=false`, touchy), 202);
    await settled(id, ["active"]);
    check("delete /v1/tenants/{id}/secrets/{name}", await api("DELETE", `/v1/tenants/${id}/secrets/API_KEY`), 409);
    check("delete /v1/tenants/{id}", await api("DELETE", `/v1/tenants/${id}`), 202);

    // The validation has teeth: a tampered answer fails it.
    expect(
      answerProblems("get /v1/tenants/{id}", { status: 200, json: { ...(got.json as Json), state: "sleeping" } }),
    ).not.toEqual([]);
    expect(
      answerProblems("get /v1/tenants/{id}", { status: 200, json: { ...(got.json as Json), createdAt: "yesterday" } }),
    ).not.toEqual([]);
    expect(checked).toHaveLength(47);
  });
});

describe("the docs page", () => {
  it("is HTML, served without a token, listing every operation", async () => {
    const answer = await anonymous("GET", "/docs");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    const text = answer.text.replace(/<[^>]+>/g, "");
    for (const key of V1_OPERATIONS) {
      const [method, path] = key.split(" ") as [string, string];
      expect(text, key).toContain(`${method.toUpperCase()} ${path}`);
    }
    expect(text).toContain("Authorization: Bearer");
  });
});
