import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callableMethods, TENANT_BINDING_ENTRYPOINTS } from "../src/bindings/entrypoints";
import type { RunnerSupport, ScriptForRunner, StartupJob } from "../src/dispatch/runner-support";
import { offerStartupJob } from "../src/dispatch/runner-support";
import { forwardingEntrypoints } from "../src/runner/forwarding";
import { completedUpload, fileOf, freshAccount, storedAssets } from "./assets-helpers";
import { ACCOUNT, acct, call, json, resultOf } from "./helpers";
import { createNamespace as createNamespaceOf, upload } from "./scripts-helpers";
import { createNamespace, uploadScript } from "./tenant";
import { deployLabelled, labelled, labelledVersion } from "./versions-helpers";

// What a runner process asks of the emulator (dispatch/runner-support.ts): scripts' code, and the
// tenants' binding calls, which must reach the stores exactly as they would from a worker the
// emulator runs itself, and nothing else of the emulator's.

const support = () =>
  (exports as unknown as Record<string, (o: { props: unknown }) => unknown>).RunnerSupport?.({
    props: {},
  }) as unknown as RunnerSupport & {
    script(scope: unknown, versionId?: string): Promise<ScriptForRunner | null>;
    startupJob(id: string): Promise<StartupJob | null>;
    call(entrypoint: string, props: unknown, method: string, args: unknown[]): Promise<unknown>;
  };

async function createKvNamespace(): Promise<string> {
  const created = await call(acct("/storage/kv/namespaces"), json("POST", { title: `kv-${crypto.randomUUID()}` }));
  return (await resultOf<{ id: string }>(created)).id;
}

describe("RunnerSupport", () => {
  it("gives a runner a script's record and module contents, and null for a script that is not there", async () => {
    const namespace = await createNamespace();
    const { etag } = await uploadScript(namespace, "hello", {
      modules: { "index.js": 'export default { fetch: () => new Response("hi") };' },
    });
    const scope = { accountId: ACCOUNT, namespace, script: "hello" };
    const found = await support().script(scope);
    expect(found?.runnable.etag).toBe(etag);
    expect(found?.modules["index.js"]).toEqual({ js: 'export default { fetch: () => new Response("hi") };' });
    expect(await support().script({ ...scope, script: "absent" })).toBeNull();
  });

  it("gives a runner the version its run order names, deployed or not, and none for another script's", async () => {
    const namespace = await createNamespace();
    const first = await deployLabelled(namespace, "w", "one");
    const second = await labelledVersion(namespace, "w", "two");
    const scope = { accountId: ACCOUNT, namespace, script: "w" };
    expect((await support().script(scope, second))?.modules["index.js"]).toEqual({
      js: labelled("two")["index.js"]?.code,
    });
    expect((await support().script(scope, first.deployment_id))?.runnable.etag).toBe(first.etag);
    // Without a version: the one the deployment runs the script's Durable Objects with.
    expect((await support().script(scope))?.runnable.etag).toBe(first.etag);
    await deployLabelled(namespace, "other", "x");
    expect(await support().script({ ...scope, script: "other" }, second)).toBeNull();
  });

  it("runs a tenant's binding call in the emulator, on the store its own workers' bindings use", async () => {
    const namespaceId = await createKvNamespace();
    await support().call("TenantKv", { namespaceId }, "put", ["greeting", "hello"]);
    // Where the emulator's own binding entrypoint keeps it: the namespace's slice of KV_DATA.
    expect(await env.KV_DATA.get(`${namespaceId}:greeting`)).toBe("hello");
    expect(await support().call("TenantKv", { namespaceId }, "get", ["greeting"])).toEqual({ value: "hello" });
  });

  it("serves a tenant's env.ASSETS.fetch() from its version's assets, as the emulator's own binding does", async () => {
    const account = freshAccount();
    const namespace = await createNamespaceOf("assets", account);
    const logo = fileOf("/logo.svg", "<svg></svg>");
    const jwt = await completedUpload(account, namespace, "site", [logo]);
    await resultOf(
      await upload(namespace, "site", { main_module: "index.js", assets: { jwt } }, undefined, { account }),
    );
    const assets = await storedAssets(account, namespace, "site");
    const props = { accountId: account, manifest: assets?.manifest, config: assets?.config };
    const answer = (await support().call("TenantAssets", props, "fetch", [
      new Request("http://assets/logo.svg"),
    ])) as Response;
    expect(answer.status).toBe(200);
    expect(answer.headers.get("etag")).toBe(`"${logo.hash}"`);
    expect(await answer.text()).toBe("<svg></svg>");
  });

  it.each([
    ["an entrypoint that is not a binding's", "RunnerSupport", "call"],
    ["an entrypoint that is not a binding's", "DispatchNamespace", "get"],
    ["the constructor", "TenantKv", "constructor"],
    ["a method the binding does not have", "TenantKv", "destroy"],
    ["a private member's name", "TenantKv", "#list"],
  ])("refuses %s (%s.%s)", async (_what, entrypoint, method) => {
    expect(await support().call(entrypoint, { namespaceId: "x" }, method, [])).toEqual({
      error: { name: "Error", message: `no binding method ${entrypoint}.${method}`, domException: false },
    });
  });

  it("hands a runner the startup job it was offered, and nothing once it is withdrawn", async () => {
    const job = {
      scope: { accountId: ACCOUNT, namespace: "ns", script: "s" },
      modules: { "index.js": { js: "export default {};" } },
    } as unknown as StartupJob;
    const offered = offerStartupJob(job);
    expect((await support().startupJob(offered.id))?.modules).toEqual(job.modules);
    offered.withdraw();
    expect(await support().startupJob(offered.id)).toBeNull();
    expect(await support().startupJob(crypto.randomUUID())).toBeNull();
  });
});

describe("a runner's forwarding entrypoints", () => {
  it("have each binding entrypoint's name and callable methods, and only those", () => {
    expect(Object.keys(forwardingEntrypoints).sort()).toEqual(Object.keys(TENANT_BINDING_ENTRYPOINTS).sort());
    for (const [name, forwarding] of Object.entries(forwardingEntrypoints)) {
      const methods = Object.getOwnPropertyNames(forwarding.prototype).filter((m) => m !== "constructor");
      expect(methods.sort()).toEqual([...callableMethods(name as keyof typeof TENANT_BINDING_ENTRYPOINTS)].sort());
      expect(forwarding.name).toBe(name);
    }
    expect(callableMethods("TenantKv")).toEqual(["get", "getWithMetadata", "put", "delete", "list"]);
    expect(callableMethods("TenantD1")).toEqual(["fetch"]);
    expect(callableMethods("TenantAssets")).toEqual(["fetch"]);
  });
});
