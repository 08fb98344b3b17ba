import { describe, expect, it } from "vitest";
import { operationFor, schemaProblems } from "./openapi";

// The validator itself must be able to fail, or every other test's schema check means nothing.
describe("the OpenAPI check", () => {
  const path = "/accounts/0123456789abcdef0123456789abcdef/storage/kv/namespaces";

  it("finds the operation for a concrete path, preferring the most literal template", () => {
    expect(operationFor("GET", path)?.template).toBe("/accounts/{account_id}/storage/kv/namespaces");
    expect(operationFor("GET", "/accounts/a/workers/dispatch/namespaces/ns/scripts/s/tags")?.template).toBe(
      "/accounts/{account_id}/workers/dispatch/namespaces/{dispatch_namespace}/scripts/{script_name}/tags",
    );
  });

  it("accepts a well-formed answer and rejects a malformed one", () => {
    const good = { success: true, errors: [], messages: [], result: [{ id: "a".repeat(32), title: "t" }] };
    expect(schemaProblems("GET", path, 200, good)).toEqual([]);
    expect(schemaProblems("GET", path, 200, { ...good, success: "yes" })?.length).toBeGreaterThan(0);
    const failure = { success: false, errors: [{ code: 10000, message: "x" }], messages: [], result: null };
    expect(schemaProblems("GET", path, 403, failure)).toEqual([]);
    expect(schemaProblems("GET", path, 403, { ...failure, errors: [{ code: "x" }] })?.length).toBeGreaterThan(0);
  });
});

describe("the OpenAPI check on the extract's contradictory allOf envelopes", () => {
  const path = "/accounts/0123456789abcdef0123456789abcdef/d1/database";

  it("takes the specific result of the later member, and still fails a wrong one", () => {
    const item = {
      uuid: "00000000-0000-4000-8000-000000000000",
      name: "db",
      created_at: "2026-01-01T00:00:00Z",
      version: "production",
    };
    const good = {
      success: true,
      errors: [],
      messages: [],
      result: [item],
      result_info: { page: 1, per_page: 20, count: 1, total_count: 1 },
    };
    expect(schemaProblems("GET", path, 200, good)).toEqual([]);
    expect(schemaProblems("GET", path, 200, { ...good, result: { not: "an array" } })?.length).toBeGreaterThan(0);
  });
});
