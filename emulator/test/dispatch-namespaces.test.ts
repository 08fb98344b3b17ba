import { describe, expect, it } from "vitest";
import { acct, call, errorOf, json, OTHER_ACCOUNT, resultOf } from "./helpers";
import { createNamespace, nsPath, unique, uploadScript } from "./scripts-helpers";

type Namespace = {
  namespace_id: string;
  namespace_name: string;
  created_on: string;
  created_by: string;
  modified_on: string;
  modified_by: string;
  script_count: number;
  trusted_workers: boolean;
};

const NAMESPACES = "/workers/dispatch/namespaces";

describe("dispatch namespaces", () => {
  it("creates a namespace and answers its details", async () => {
    const name = unique("create");
    const created = await resultOf<Namespace>(await call(acct(NAMESPACES), json("POST", { name })));
    expect(created).toMatchObject({ namespace_name: name, script_count: 0, trusted_workers: false });
    expect(created.namespace_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Date.parse(created.created_on)).not.toBeNaN();
    expect(created.created_by).toMatch(/^[0-9a-f]{32}$/);
    expect(await resultOf<Namespace>(await call(nsPath(name)))).toEqual(created);
  });

  it("lists the account's namespaces with their script counts", async () => {
    const first = await createNamespace("list");
    const second = await createNamespace("list");
    await uploadScript(second, "one");
    await uploadScript(second, "two");
    const listed = await resultOf<Namespace[]>(await call(acct(NAMESPACES)));
    const names = listed.map((n) => n.namespace_name);
    expect(names.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(names.indexOf(second)).toBeGreaterThan(names.indexOf(first));
    expect(listed.find((n) => n.namespace_name === second)?.script_count).toBe(2);
  });

  it("refuses a second namespace of the same name with 409 and code 100120", async () => {
    const name = await createNamespace("dup");
    const error = await errorOf(await call(acct(NAMESPACES), json("POST", { name })), 409);
    expect(error.code).toBe(100120);
    expect(error.message).toContain(name);
  });

  it("refuses a create without a usable name with 400 and code 10021, naming the field", async () => {
    for (const body of [{}, { name: "" }, { name: "has space" }, { name: 7 }]) {
      const error = await errorOf(await call(acct(NAMESPACES), json("POST", body)), 400);
      expect(error.code).toBe(10021);
      expect(error.message).toMatch(/name/);
    }
    const notJson = await call(acct(NAMESPACES), {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect((await errorOf(notJson, 400)).code).toBe(10021);
  });

  it("answers 404 and code 100119 for a namespace that does not exist", async () => {
    const missing = unique("missing");
    expect((await errorOf(await call(nsPath(missing)), 404)).code).toBe(100119);
    expect((await errorOf(await call(nsPath(missing), { method: "DELETE" }), 404)).code).toBe(100119);
    expect((await errorOf(await call(nsPath(missing, "/scripts")), 404)).code).toBe(100119);
  });

  it("deletes a namespace together with its scripts", async () => {
    const name = await createNamespace("delete");
    await uploadScript(name, "doomed");
    expect(await resultOf(await call(nsPath(name), { method: "DELETE" }))).toBeNull();
    expect((await errorOf(await call(nsPath(name)), 404)).code).toBe(100119);
    // The name is free again, and the old scripts did not come back with it.
    await resultOf(await call(acct(NAMESPACES), json("POST", { name })));
    expect((await errorOf(await call(nsPath(name, "/scripts/doomed")), 404)).code).toBe(10092);
  });

  it("keeps accounts apart", async () => {
    const name = await createNamespace("mine");
    expect((await errorOf(await call(nsPath(name, "", OTHER_ACCOUNT)), 404)).code).toBe(100119);
    const theirs = await resultOf<Namespace[]>(await call(acct(NAMESPACES, OTHER_ACCOUNT)));
    expect(theirs.map((n) => n.namespace_name)).not.toContain(name);
    // The same name can exist in both.
    await resultOf(await call(acct(NAMESPACES, OTHER_ACCOUNT), json("POST", { name })));
  });

  it("answers 405 for a method the path does not have", async () => {
    expect((await errorOf(await call(acct(NAMESPACES), { method: "PATCH" }), 405)).code).toBe(10405);
    const name = await createNamespace("method");
    expect((await errorOf(await call(nsPath(name), { method: "POST" }), 405)).code).toBe(10405);
  });
});
