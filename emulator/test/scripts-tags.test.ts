import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCOUNT, call, errorOf, json, resultOf } from "./helpers";
import { createNamespace, nsPath, scriptPath, upload, uploadScript } from "./scripts-helpers";

const NINE = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];

const tagsOf = async (ns: string, script: string) => resultOf<string[]>(await call(scriptPath(ns, script, "/tags")));

const listed = async (ns: string, filter: string) => {
  const res = await call(`${nsPath(ns, "/scripts")}?tags=${encodeURIComponent(filter)}`);
  return (await resultOf<{ script: { id: string } }[]>(res)).map((s) => s.script.id);
};

describe("tags on upload", () => {
  it("stores the metadata's tags, keeps them when an upload names none, and replaces them when it does", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "tagged", { tags: ["customer-1", "free"] });
    expect(await tagsOf(ns, "tagged")).toEqual(["customer-1", "free"]);
    await uploadScript(ns, "tagged");
    expect(await tagsOf(ns, "tagged")).toEqual(["customer-1", "free"]);
    await uploadScript(ns, "tagged", { tags: ["pro"] });
    expect(await tagsOf(ns, "tagged")).toEqual(["pro"]);
  });

  it("refuses more than eight tags with code 100103 and a ',' or '&' with code 100134, storing nothing", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "limited", { tags: NINE.slice(0, 8) });
    const tooMany = await upload(ns, "limited", { main_module: "index.js", tags: NINE });
    expect((await errorOf(tooMany, 400)).code).toBe(100103);
    for (const tag of ["a,b", "a&b"]) {
      const invalid = await upload(ns, "limited", { main_module: "index.js", tags: [tag] });
      expect((await errorOf(invalid, 400)).code).toBe(100134);
    }
    expect(await tagsOf(ns, "limited")).toEqual(NINE.slice(0, 8));
  });
});

describe("the tags endpoints", () => {
  it("replaces the whole list with PUT, and clears it with null", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "listy", { tags: ["old"] });
    expect(await resultOf(await call(scriptPath(ns, "listy", "/tags"), json("PUT", ["a", "b", "a"])))).toEqual([
      "a",
      "b",
    ]);
    expect(await tagsOf(ns, "listy")).toEqual(["a", "b"]);
    expect(await resultOf(await call(scriptPath(ns, "listy", "/tags"), json("PUT", null)))).toEqual([]);
  });

  it("refuses a list PUT that breaks the tag rules, changing nothing", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "ruled", { tags: ["keep"] });
    const put = (body: unknown) => call(scriptPath(ns, "ruled", "/tags"), json("PUT", body));
    expect((await errorOf(await put(NINE), 400)).code).toBe(100103);
    expect((await errorOf(await put(["x&y"]), 400)).code).toBe(100134);
    expect((await errorOf(await put({ tags: ["a"] }), 400)).code).toBe(10021);
    const notJson = await call(scriptPath(ns, "ruled", "/tags"), {
      method: "PUT",
      body: "[",
      headers: { "content-type": "application/json" },
    });
    expect((await errorOf(notJson, 400)).code).toBe(10021);
    expect(await tagsOf(ns, "ruled")).toEqual(["keep"]);
  });

  it("adds and removes single tags, at most eight", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "single", { tags: NINE.slice(0, 7) });
    expect(await resultOf(await call(scriptPath(ns, "single", "/tags/t8"), { method: "PUT" }))).toBeNull();
    expect(await resultOf(await call(scriptPath(ns, "single", "/tags/t8"), { method: "PUT" }))).toBeNull();
    expect(await tagsOf(ns, "single")).toEqual(NINE.slice(0, 8));
    const ninth = await call(scriptPath(ns, "single", "/tags/t9"), { method: "PUT" });
    expect((await errorOf(ninth, 400)).code).toBe(100103);
    const invalid = await call(scriptPath(ns, "single", "/tags/a%26b"), { method: "PUT" });
    expect((await errorOf(invalid, 400)).code).toBe(100134);
    expect(await resultOf(await call(scriptPath(ns, "single", "/tags/t1"), { method: "DELETE" }))).toBeNull();
    expect(await resultOf(await call(scriptPath(ns, "single", "/tags/never-there"), { method: "DELETE" }))).toBeNull();
    expect(await tagsOf(ns, "single")).toEqual(NINE.slice(1, 8));
  });

  it("answers 10007 for the tags of a script that does not exist", async () => {
    const ns = await createNamespace();
    for (const [rest, method] of [
      ["/tags", "GET"],
      ["/tags/x", "PUT"],
      ["/tags/x", "DELETE"],
    ] as const) {
      const res = await call(scriptPath(ns, "nobody", rest), { method });
      expect((await errorOf(res, 404)).code).toBe(10007);
    }
    const res = await call(scriptPath(ns, "nobody", "/tags"), json("PUT", ["a"]));
    expect((await errorOf(res, 404)).code).toBe(10007);
  });
});

describe("filtering and deleting scripts by tag", () => {
  async function tagged(): Promise<{ ns: string; ids: Record<string, string> }> {
    const ns = await createNamespace();
    const ids: Record<string, string> = {};
    for (const [name, tags] of [
      ["both", ["x", "y"]],
      ["only-x", ["x"]],
      ["only-y", ["y"]],
      ["none", []],
    ] as const) {
      ids[name] = (await uploadScript(ns, name, { tags: [...tags] })).tag;
    }
    return { ns, ids };
  }

  it("lists the scripts carrying every yes tag and no no tag", async () => {
    const { ns } = await tagged();
    expect(await listed(ns, "x:yes")).toEqual(["both", "only-x"]);
    expect(await listed(ns, "x:yes,y:no")).toEqual(["only-x"]);
    expect(await listed(ns, "y:no")).toEqual(["none", "only-x"]);
    expect(await listed(ns, "x:yes,y:yes")).toEqual(["both"]);
    for (const bad of ["x:maybe", "x", ":yes"]) {
      const res = await call(`${nsPath(ns, "/scripts")}?tags=${encodeURIComponent(bad)}`);
      expect((await errorOf(res, 400)).code, bad).toBe(10021);
    }
  });

  it("deletes the matching scripts, at most limit of them, saying whether more match", async () => {
    const { ns, ids } = await tagged();
    const store = env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT));
    const doomed = await store.getRunnableScript(ns, "both");

    const first = await resultOf(await call(`${nsPath(ns, "/scripts")}?tags=x:yes&limit=1`, { method: "DELETE" }));
    expect(first).toEqual({ deleted: [{ id: ids.both }], deleted_count: 1, has_more: true });
    expect(await env.SCRIPT_MODULES.head(doomed?.modules[0]?.r2Key ?? "")).toBeNull();

    const rest = await resultOf(await call(`${nsPath(ns, "/scripts")}?tags=x:yes&limit=1000`, { method: "DELETE" }));
    expect(rest).toEqual({ deleted: [{ id: ids["only-x"] }], deleted_count: 1, has_more: false });
    expect(await listed(ns, "x:no")).toEqual(["none", "only-y"]);
    expect((await errorOf(await call(`${nsPath(ns, "/scripts")}?limit=1001`, { method: "DELETE" }), 400)).code).toBe(
      10021,
    );
  });

  it("deletes every script of the namespace when no filter is given", async () => {
    const { ns } = await tagged();
    const result = await resultOf<{ deleted_count: number }>(await call(nsPath(ns, "/scripts"), { method: "DELETE" }));
    expect(result.deleted_count).toBe(4);
    expect(await resultOf(await call(nsPath(ns, "/scripts")))).toEqual([]);
  });
});
