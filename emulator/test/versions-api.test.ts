import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  Deployment,
  DeploymentList,
  VersionCreateResult,
  VersionDetail,
  VersionList,
} from "../../cloudflare-api/versions";
import { checkDeployment } from "../src/scripts/deployment-rules";
import { adoptUnversionedScripts } from "../src/scripts/store/adopt-versions";
import type { StoreContext } from "../src/scripts/store/context";
import type { StoredVersion } from "../src/scripts/store/version-rows";
import { ACCOUNT, acct, call, errorOf, json, resultOf } from "./helpers";
import { createNamespace, nsPath, scriptPath, settingsForm, upload } from "./scripts-helpers";
import { createDeployment, deployLabelled, labelled, labelledVersion, uploadVersion } from "./versions-helpers";

/*
 * The versions and deployments endpoints of a dispatch namespace's scripts. The
 * OpenAPI extract has no such paths, so their answers are checked against the
 * SDK-derived shapes of cloudflare-api/versions.ts here.
 */

const versionsOf = async (ns: string, script: string, query = "") =>
  VersionList.parse(await resultOf(await call(scriptPath(ns, script, `/versions${query}`))));
const deploymentsOf = async (ns: string, script: string) =>
  DeploymentList.parse(await resultOf(await call(scriptPath(ns, script, "/deployments")))).deployments;

describe("versions", () => {
  it("are made by every upload, deployed to 100%, the version's id answered as deployment_id", async () => {
    const ns = await createNamespace();
    const uploaded = await deployLabelled(ns, "w", "one", {
      annotations: { "workers/message": "first", "workers/tag": "v1" },
    });
    const [listed] = (await versionsOf(ns, "w")).items;
    expect(listed).toMatchObject({
      id: uploaded.deployment_id,
      number: 1,
      annotations: { "workers/message": "first", "workers/tag": "v1", "workers/triggered_by": "upload" },
    });
    const [deployment] = await deploymentsOf(ns, "w");
    expect(deployment?.versions).toEqual([{ version_id: uploaded.deployment_id, percentage: 100 }]);
    const detail = VersionDetail.parse(
      await resultOf(await call(scriptPath(ns, "w", `/versions/${uploaded.deployment_id}`))),
    );
    expect(detail.resources.script.etag).toBe(uploaded.etag);
  });

  it("are uploaded without being deployed, sharing the script's bindings, secret values never shown", async () => {
    const ns = await createNamespace();
    const first = await deployLabelled(ns, "w", "one", {
      bindings: [
        { type: "plain_text", name: "GREETING", text: "hi" },
        { type: "secret_text", name: "S", text: "hidden-value-1" },
      ],
    });
    const res = await uploadVersion(
      ns,
      "w",
      {
        main_module: "index.js",
        keep_bindings: ["plain_text", "secret_text"],
        annotations: { "workers/message": "x".repeat(1200) },
      },
      labelled("two"),
    );
    const created = VersionCreateResult.parse(await resultOf(res));
    expect(JSON.stringify(created)).not.toContain("hidden-value-1");
    expect(created.number).toBe(2);
    expect(created.annotations?.["workers/message"]).toHaveLength(1000);
    expect(created.resources.bindings).toEqual([
      { type: "plain_text", name: "GREETING", text: "hi" },
      { type: "secret_text", name: "S" },
    ]);
    expect((await deploymentsOf(ns, "w")).map((d) => d.versions)).toEqual([
      [{ version_id: first.deployment_id, percentage: 100 }],
    ]);
  });

  it("list the handlers their start found in the default export, a handler object's or a class's", async () => {
    const ns = await createNamespace();
    await deployLabelled(ns, "w", "one");
    const handlersOf = async (code: string) => {
      const created = VersionCreateResult.parse(
        await resultOf(await uploadVersion(ns, "w", { main_module: "index.js" }, { "index.js": { code } })),
      );
      expect(created.startup_time_ms).toBeGreaterThanOrEqual(0);
      return created.resources.script.handlers;
    };
    expect(await handlersOf("export default { fetch() {}, scheduled() {}, other: 1 };")).toEqual([
      "fetch",
      "scheduled",
    ]);
    expect(
      await handlersOf(
        'import { WorkerEntrypoint } from "cloudflare:workers";\nexport default class extends WorkerEntrypoint { fetch() {} queue() {} };',
      ),
    ).toEqual(["fetch", "queue"]);
    expect(await handlersOf("export const x = 1;")).toEqual([]);
  });

  it("cannot be uploaded to a script that is not there, nor carry Durable Object migrations", async () => {
    const ns = await createNamespace();
    const missing = await uploadVersion(ns, "nobody", { main_module: "index.js" }, labelled("one"));
    expect(await errorOf(missing, 404)).toMatchObject({ code: 10007 });
    await deployLabelled(ns, "w", "one");
    const migrating = await uploadVersion(
      ns,
      "w",
      { main_module: "index.js", migrations: { new_tag: "v1", new_sqlite_classes: ["Room"] } },
      labelled("two"),
    );
    expect(await errorOf(migrating, 400)).toMatchObject({
      code: 10021,
      message: expect.stringContaining("cannot carry Durable Object migrations"),
    });
    const broken = await uploadVersion(
      ns,
      "w",
      { main_module: "index.js" },
      { "index.js": { code: "export default {" } },
    );
    expect((await errorOf(broken, 400)).code).toBe(10021);
    expect((await versionsOf(ns, "w")).items).toHaveLength(1);
  });

  it("are listed newest first, a page at a time, and read one by one", async () => {
    const ns = await createNamespace();
    await deployLabelled(ns, "w", "one");
    await labelledVersion(ns, "w", "two");
    const third = await labelledVersion(ns, "w", "three");
    const first = await call(scriptPath(ns, "w", "/versions?per_page=2&page=1"));
    const body = await first.json<{ result: unknown; result_info: Record<string, number> }>();
    expect(VersionList.parse(body.result).items.map((v) => v.number)).toEqual([3, 2]);
    expect(body.result_info).toMatchObject({ page: 1, per_page: 2, count: 2, total_count: 3 });
    expect((await versionsOf(ns, "w", "?per_page=2&page=2")).items.map((v) => v.number)).toEqual([1]);
    expect((await versionsOf(ns, "w", "?deployable=true&per_page=1")).items).toHaveLength(3);
    expect((await errorOf(await call(scriptPath(ns, "w", "/versions?per_page=0")), 400)).code).toBe(10021);
    expect((await resultOf<{ id: string }>(await call(scriptPath(ns, "w", `/versions/${third}`)))).id).toBe(third);
    const unknown = await call(scriptPath(ns, "w", `/versions/${crypto.randomUUID()}`));
    expect(await errorOf(unknown, 404)).toMatchObject({ code: 10007 });
  });

  it("go with their script: a script made again under the name starts at version 1", async () => {
    const ns = await createNamespace();
    await deployLabelled(ns, "w", "one");
    await labelledVersion(ns, "w", "two");
    await resultOf(await call(scriptPath(ns, "w"), { method: "DELETE" }));
    expect((await errorOf(await call(scriptPath(ns, "w", "/versions")), 404)).code).toBe(10007);
    expect((await errorOf(await call(scriptPath(ns, "w", "/deployments")), 404)).code).toBe(10007);
    await deployLabelled(ns, "w", "again");
    expect((await versionsOf(ns, "w")).items.map((v) => v.number)).toEqual([1]);
    expect(await deploymentsOf(ns, "w")).toHaveLength(1);
  });

  it("go with their namespace", async () => {
    const ns = await createNamespace();
    await deployLabelled(ns, "w", "one");
    await labelledVersion(ns, "w", "two");
    await resultOf(await call(nsPath(ns), { method: "DELETE" }));
    await resultOf(await call(acct("/workers/dispatch/namespaces"), json("POST", { name: ns })));
    await deployLabelled(ns, "w", "again");
    expect((await versionsOf(ns, "w")).items.map((v) => v.number)).toEqual([1]);
  });

  it("are made for scripts stored before versions were: version 1, deployed to 100%", async () => {
    const ns = await createNamespace();
    const { etag } = await deployLabelled(ns, "w", "one");
    const store = env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT));
    await runInDurableObject(store, (_instance, state) => {
      // The state a store written before versions has: the script's row alone.
      state.storage.sql.exec("DELETE FROM versions WHERE namespace = ?", ns);
      state.storage.sql.exec("DELETE FROM deployments WHERE namespace = ?", ns);
      const context = {
        sql: state.storage.sql,
        transaction: (work: () => void) => state.storage.transactionSync(work),
      };
      adoptUnversionedScripts(context as unknown as StoreContext);
    });
    const [adopted] = (await versionsOf(ns, "w")).items;
    expect(adopted?.number).toBe(1);
    expect((await deploymentsOf(ns, "w"))[0]?.versions).toEqual([{ version_id: adopted?.id, percentage: 100 }]);
    const detail = VersionDetail.parse(await resultOf(await call(scriptPath(ns, "w", `/versions/${adopted?.id}`))));
    expect(detail.resources.script.etag).toBe(etag);
  });
});

describe("deployments", () => {
  it("split traffic between one or two of the script's versions, replacing the active one", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    const res = await createDeployment(
      ns,
      "w",
      [
        [two, 10],
        [one, 90],
      ],
      "",
      {
        annotations: { "workers/message": "canary" },
      },
    );
    const created = Deployment.parse(await resultOf(res));
    expect(created).toMatchObject({
      strategy: "percentage",
      source: "api",
      versions: [
        { version_id: two, percentage: 10 },
        { version_id: one, percentage: 90 },
      ],
      annotations: { "workers/message": "canary" },
    });
    const listed = await deploymentsOf(ns, "w");
    expect(listed.map((d) => d.id)[0]).toBe(created.id);
    expect(listed).toHaveLength(2);
    expect(await resultOf(await call(scriptPath(ns, "w", `/deployments/${created.id}`)))).toEqual(created);
  });

  it("refuse, with a message naming why, what a deployment cannot be", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    const three = await labelledVersion(ns, "w", "three");
    const elsewhere = (await deployLabelled(ns, "other", "x")).deployment_id;
    const unknown = crypto.randomUUID();
    const cases: [[string, number][], string][] = [
      [[], "at least one version"],
      [
        [
          [one, 40],
          [two, 30],
          [three, 30],
        ],
        "at most 2 versions; 3 were given",
      ],
      [
        [
          [one, 50],
          [two, 40],
        ],
        "add up to 100; these add up to 90",
      ],
      [[[unknown, 100]], `'${unknown}' is not a version of this Worker`],
      [[[elsewhere, 100]], `'${elsewhere}' is not a version of this Worker`],
      [
        [
          [one, 50],
          [one, 50],
        ],
        `'${one}' is listed more than once`,
      ],
    ];
    for (const [versions, why] of cases) {
      const error = await errorOf(await createDeployment(ns, "w", versions), 400);
      expect(error, why).toMatchObject({ code: 10021, message: expect.stringContaining(why) });
    }
    const malformed = await call(
      scriptPath(ns, "w", "/deployments"),
      json("POST", { strategy: "percentage", versions: [{ version_id: one, percentage: 101 }] }),
    );
    expect((await errorOf(malformed, 400)).code).toBe(10021);
    const noStrategy = await call(scriptPath(ns, "w", "/deployments"), json("POST", { versions: [] }));
    expect((await errorOf(noStrategy, 400)).message).toContain("strategy");
    const notJson = await call(scriptPath(ns, "w", "/deployments"), {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect((await errorOf(notJson, 400)).code).toBe(10021);
    expect(await deploymentsOf(ns, "w")).toHaveLength(1);
    expect((await errorOf(await createDeployment(ns, "nobody", [[one, 100]]), 404)).code).toBe(10007);
  });

  it("of a version whose secrets have changed since are refused (10220, names only) unless forced", async () => {
    const ns = await createNamespace();
    const one = (
      await deployLabelled(ns, "w", "one", { bindings: [{ type: "secret_text", name: "S", text: "old-secret-value" }] })
    ).deployment_id;
    await resultOf(
      await call(
        scriptPath(ns, "w", "/secrets"),
        json("PUT", { name: "S", text: "new-secret-value", type: "secret_text" }),
      ),
    );
    await resultOf(
      await call(scriptPath(ns, "w", "/secrets"), json("PUT", { name: "T", text: "another", type: "secret_text" })),
    );
    const refused = await createDeployment(ns, "w", [[one, 100]]);
    const text = await refused.clone().text();
    expect(text).not.toContain("secret-value");
    expect(await errorOf(refused, 400)).toMatchObject({
      code: 10220,
      message: expect.stringMatching(/The following secrets have changed: S, T$/),
    });
    const forced = Deployment.parse(await resultOf(await createDeployment(ns, "w", [[one, 100]], "?force=true")));
    expect(forced.versions).toEqual([{ version_id: one, percentage: 100 }]);
  });

  it("of a version bound to a resource the account no longer has are refused, as rollbacks are", async () => {
    const ns = await createNamespace();
    const kv = await resultOf<{ id: string }>(
      await call(acct("/storage/kv/namespaces"), json("POST", { title: `kv-${crypto.randomUUID()}` })),
    );
    const bound = await deployLabelled(ns, "w", "one", {
      bindings: [{ type: "kv_namespace", name: "KV", namespace_id: kv.id }],
    });
    await deployLabelled(ns, "w", "two");
    await resultOf(await call(acct(`/storage/kv/namespaces/${kv.id}`), { method: "DELETE" }));
    const refused = await createDeployment(ns, "w", [[bound.deployment_id, 100]]);
    expect(await errorOf(refused, 400)).toMatchObject({ code: 10041, message: expect.stringContaining(kv.id) });
    expect(await deploymentsOf(ns, "w")).toHaveLength(2);
  });

  it("that is active cannot be deleted; an earlier one can", async () => {
    const ns = await createNamespace();
    await deployLabelled(ns, "w", "one");
    await deployLabelled(ns, "w", "two");
    const [active, earlier] = await deploymentsOf(ns, "w");
    if (active === undefined || earlier === undefined) throw new Error("expected two deployments");
    const refused = await call(scriptPath(ns, "w", `/deployments/${active.id}`), { method: "DELETE" });
    expect(await errorOf(refused, 400)).toMatchObject({ code: 10021, message: expect.stringContaining("active") });
    await resultOf(await call(scriptPath(ns, "w", `/deployments/${earlier.id}`), { method: "DELETE" }));
    expect((await deploymentsOf(ns, "w")).map((d) => d.id)).toEqual([active.id]);
    const gone = await call(scriptPath(ns, "w", `/deployments/${earlier.id}`));
    expect((await errorOf(gone, 404)).code).toBe(10007);
  });

  it("split between versions hold back secret and settings changes (10215, 10214) until the latest is deployed", async () => {
    const ns = await createNamespace();
    const one = (await deployLabelled(ns, "w", "one")).deployment_id;
    const two = await labelledVersion(ns, "w", "two");
    await resultOf(
      await createDeployment(ns, "w", [
        [one, 50],
        [two, 50],
      ]),
    );
    const secret = await call(
      scriptPath(ns, "w", "/secrets"),
      json("PUT", { name: "S", text: "x", type: "secret_text" }),
    );
    expect(await errorOf(secret, 400)).toMatchObject({
      code: 10215,
      message: expect.stringContaining("latest version"),
    });
    const patch = await call(scriptPath(ns, "w", "/settings"), {
      method: "PATCH",
      body: settingsForm({ logpush: true }),
    });
    expect((await errorOf(patch, 400)).code).toBe(10214);
    expect((await versionsOf(ns, "w")).items).toHaveLength(2);

    await resultOf(await createDeployment(ns, "w", [[two, 100]]));
    await resultOf(
      await call(scriptPath(ns, "w", "/secrets"), json("PUT", { name: "S", text: "x", type: "secret_text" })),
    );
    const [made] = (await versionsOf(ns, "w")).items;
    expect(made).toMatchObject({ number: 3, annotations: { "workers/triggered_by": "secret" } });
    expect((await deploymentsOf(ns, "w"))[0]?.versions).toEqual([{ version_id: made?.id, percentage: 100 }]);
  });

  it("answer a method a path does not have with 10405", async () => {
    const ns = await createNamespace();
    await resultOf(await upload(ns, "w", { main_module: "index.js" }));
    expect((await errorOf(await call(scriptPath(ns, "w", "/versions"), { method: "PUT" }), 405)).code).toBe(10405);
  });
});

describe("the deployment rules", () => {
  it("allow only the latest 100 versions", () => {
    const versions = Array.from({ length: 101 }, (_, i) => ({
      id: `v${101 - i}`,
      number: 101 - i,
      created_on: "",
      annotations: {},
      record: { settings: {} } as unknown as StoredVersion["record"],
    }));
    const deploy = (id: string) =>
      checkDeployment(
        { strategy: "percentage", versions: [{ version_id: id, percentage: 100 }], annotations: undefined },
        versions,
      );
    expect(deploy("v2").ok).toBe(true);
    expect(deploy("v1")).toMatchObject({
      ok: false,
      error: { code: 10021, message: expect.stringContaining("older than the latest 100 versions") },
    });
  });
});
