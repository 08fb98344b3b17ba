import { describe, expect, it } from "vitest";
import { call, errorOf, json, resultOf } from "./helpers";
import { createNamespace, scriptPath, uploadScript } from "./scripts-helpers";

interface Schedules {
  schedules: { cron: string; created_on: string; modified_on: string }[];
}

const schedulesPath = (ns: string, script: string) => scriptPath(ns, script, "/schedules");
const put = (ns: string, script: string, body: unknown) => call(schedulesPath(ns, script), json("PUT", body));
const get = async (ns: string, script: string) => resultOf<Schedules>(await call(schedulesPath(ns, script)));

describe("a script's schedules", () => {
  it("starts with none, takes the whole list with PUT and answers it with GET, in the order given", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "cronned");
    expect(await get(ns, "cronned")).toEqual({ schedules: [] });
    const answer = await resultOf<Schedules>(
      await put(ns, "cronned", [{ cron: "*/30 * * * *" }, { cron: "0 18 * * friL" }, { cron: "*/30 * * * *" }]),
    );
    expect(answer.schedules.map((s) => s.cron)).toEqual(["*/30 * * * *", "0 18 * * friL"]);
    for (const s of answer.schedules) {
      expect(Date.parse(s.created_on)).not.toBeNaN();
      expect(s.modified_on).toBe(s.created_on);
    }
    expect(await get(ns, "cronned")).toEqual(answer);
  });

  it("replaces the list: an expression kept keeps its created_on, one left out is gone, [] clears", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "replaced");
    const first = await resultOf<Schedules>(await put(ns, "replaced", [{ cron: "0 * * * *" }, { cron: "5 * * * *" }]));
    const second = await resultOf<Schedules>(
      await put(ns, "replaced", [{ cron: "10 * * * *" }, { cron: "0 * * * *" }]),
    );
    expect(second.schedules.map((s) => s.cron)).toEqual(["10 * * * *", "0 * * * *"]);
    expect(second.schedules[1]?.created_on).toBe(first.schedules[0]?.created_on);
    expect(await resultOf<Schedules>(await put(ns, "replaced", []))).toEqual({ schedules: [] });
    expect(await get(ns, "replaced")).toEqual({ schedules: [] });
  });

  it("refuses an invalid cron with 400/10100 naming it, and any other bad body with 10021, changing nothing", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "strict");
    await resultOf(await put(ns, "strict", [{ cron: "0 0 * * *" }]));
    for (const cron of ["0 22 * * 0", "* * * *", "61 * * * *", "* * ? * *", "0 0 * * MON#6", "5-1 * * * *"]) {
      const refused = await errorOf(await put(ns, "strict", [{ cron: "1 1 * * *" }, { cron }]), 400);
      expect(refused.code).toBe(10100);
      expect(refused.message).toContain(cron);
    }
    for (const body of [{ cron: "* * * * *" }, [{ schedule: "* * * * *" }], [{ cron: 5 }], null]) {
      expect((await errorOf(await put(ns, "strict", body), 400)).code).toBe(10021);
    }
    const notJson = await call(schedulesPath(ns, "strict"), { method: "PUT", body: "[" });
    expect((await errorOf(notJson, 400)).code).toBe(10021);
    expect((await get(ns, "strict")).schedules.map((s) => s.cron)).toEqual(["0 0 * * *"]);
  });

  it("answers 404/10007 for a script that does not exist, and 404 for an unknown namespace", async () => {
    const ns = await createNamespace();
    expect((await errorOf(await call(schedulesPath(ns, "nobody")), 404)).code).toBe(10007);
    expect((await errorOf(await put(ns, "nobody", [{ cron: "* * * * *" }]), 404)).code).toBe(10007);
    expect((await errorOf(await call(schedulesPath("no-such-namespace", "x")), 404)).code).toBe(100119);
  });

  it("deletes the schedules with the script: a script uploaded again under that name has none", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "doomed");
    await resultOf(await put(ns, "doomed", [{ cron: "* * * * *" }]));
    await resultOf(await call(scriptPath(ns, "doomed"), { method: "DELETE" }));
    expect((await errorOf(await call(schedulesPath(ns, "doomed")), 404)).code).toBe(10007);
    await uploadScript(ns, "doomed");
    expect(await get(ns, "doomed")).toEqual({ schedules: [] });
  });

  it("answers 405 to a method the path does not take", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "methods");
    expect((await errorOf(await call(schedulesPath(ns, "methods"), { method: "POST" }), 405)).code).toBe(10405);
  });
});
