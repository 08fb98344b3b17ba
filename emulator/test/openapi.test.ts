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
