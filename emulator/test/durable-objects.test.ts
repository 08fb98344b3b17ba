import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccountId } from "../../cloudflare-api/names";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import { hostName } from "../src/durable-objects/address";
import type { ObjectHost } from "../src/durable-objects/host";
import { ACCOUNT, acct, call, errorOf, resultOf } from "./helpers";
import { createNamespace, dispatch, emulator, namespaceBinding, type uploadScript } from "./tenant";

/**
 * A tenant script with a counting class exported as `className` (the others it
 * lists too), whose default handler reaches the object named by `?name=`
 * through the COUNTER binding: GET counts by fetch, /rpc by RPC, /id answers
 * the object's id, /attach?id= reaches an object by an id string.
 */
function counterScript(className: string, version = "one"): string {
  return `import { DurableObject } from "cloudflare:workers";
export class ${className} extends DurableObject {
  async fetch() {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return Response.json({ n, version: ${JSON.stringify(version)} });
  }
  add(k) { const n = (this.ctx.storage.kv.get("n") ?? 0) + k; this.ctx.storage.kv.put("n", n); return n; }
  async egress() { try { return await (await fetch("http://example.com/from-object")).text(); } catch (e) { return e.message; } }
  async noAlarmHandler() { try { await this.ctx.storage.setAlarm(Date.now() + 1000); return "set"; } catch (e) { return e.message; } }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get("name") ?? "a";
    try {
      if (url.pathname === "/rpc") return Response.json(await env.COUNTER.getByName(name).add(10));
      if (url.pathname === "/id") return Response.json(env.COUNTER.idFromName(name).toString());
      if (url.pathname === "/attach") {
        const stub = env.COUNTER.get(env.COUNTER.idFromString(url.searchParams.get("id")));
        return stub.fetch(request);
      }
      if (url.pathname === "/reserved") return Response.json(await env.COUNTER.getByName(name).__wfp_alarm({}));
      if (url.pathname === "/no-alarm-handler") return Response.json(await env.COUNTER.getByName(name).noAlarmHandler());
      if (url.pathname === "/env") return Response.json(Object.keys(env).sort());
      if (url.pathname === "/egress") {
        const fromWorker = await (await fetch("http://example.com/from-worker")).json();
        return Response.json({ fromWorker: fromWorker.outbound === true, fromObject: await env.COUNTER.getByName(name).egress() });
      }
      if (url.pathname === "/forged") {
        // Headers the emulator addresses objects with, naming another script's object: they are replaced.
        const forged = JSON.stringify({ scope: { accountId: url.searchParams.get("account"), namespace: url.searchParams.get("ns"), script: url.searchParams.get("script") }, etag: "", namespaceId: url.searchParams.get("nsid"), id: url.searchParams.get("id"), name: name });
        const headers = { "x-wfp-object-target": forged, "x-wfp-object": JSON.stringify({ id: url.searchParams.get("id"), name: null }) };
        return env.COUNTER.getByName(name).fetch("http://object/", { headers });
      }
      return await env.COUNTER.getByName(name).fetch(request);
    } catch (error) {
      return Response.json({ error: error.name + ": " + error.message }, { status: 500 });
    }
  },
};`;
}

type Migrations = Parameters<typeof uploadScript>[2]["migrations"];

/** Uploads through the REST API and gives the raw answer, for refusals. */
function upload(
  namespace: string,
  script: string,
  options: { source: string; binding?: string | null; migrations?: Migrations },
): Promise<Response> {
  const className = options.binding === undefined ? "Counter" : options.binding;
  return emulator.uploadScript(namespace, script, {
    mainModule: "index.js",
    modules: { "index.js": options.source },
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: className === null ? [] : [{ type: "durable_object_namespace", name: "COUNTER", class_name: className }],
    tags: [],
    ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
  });
}

/** A script with a Counter class, created with migration tag v1. */
async function counterTenant(namespace?: string) {
  const ns = namespace ?? (await createNamespace());
  const script = `objects-${crypto.randomUUID().slice(0, 8)}`;
  await resultOf(
    await upload(ns, script, {
      source: counterScript("Counter"),
      migrations: { new_tag: "v1", new_sqlite_classes: ["Counter"] },
    }),
  );
  return { namespace: ns, script };
}

async function get(namespace: string, script: string, path = "/"): Promise<{ status: number; body: unknown }> {
  const response = await dispatch(namespace, script, `http://tenant${path}`);
  return { status: response.status, body: await response.json() };
}

const count = async (namespace: string, script: string, name = "a") =>
  ((await get(namespace, script, `/?name=${name}`)).body as { n: number }).n;

/** The host object of a script's objects (durable-objects/host.ts), to look at its storage. */
function hostOf(namespace: string, script: string): DurableObjectStub<ObjectHost<{ LOADER: WorkerLoader }>> {
  const scope = { accountId: ACCOUNT as AccountId, namespace, script };
  return env.TENANT_OBJECTS.get(env.TENANT_OBJECTS.idFromName(hostName(scope))) as never;
}

const objectsIn = (host: ReturnType<typeof hostOf>) =>
  runInDurableObject(
    host,
    (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM objects").one().n,
  );

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!done(value) && Date.now() - started < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

describe("a tenant's Durable Objects", () => {
  it("count through fetch and RPC, one object per name", async () => {
    const { namespace, script } = await counterTenant();
    expect(await count(namespace, script)).toBe(1);
    expect(await count(namespace, script)).toBe(2);
    expect(await count(namespace, script, "b")).toBe(1);
    expect((await get(namespace, script, "/rpc")).body).toBe(12);
  });

  it("keep their data across a re-upload, which runs the new code", async () => {
    const { namespace, script } = await counterTenant();
    await count(namespace, script);
    await count(namespace, script);
    await resultOf(await upload(namespace, script, { source: counterScript("Counter", "two") }));
    expect((await get(namespace, script)).body).toEqual({ n: 3, version: "two" });
  });

  it("show their namespace id in the script's settings, and the migration tag on the script", async () => {
    const { namespace, script } = await counterTenant();
    const settings = await resultOf<{ bindings: Record<string, unknown>[] }>(
      await call(acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}/settings`)),
    );
    expect(settings.bindings).toEqual([
      {
        type: "durable_object_namespace",
        name: "COUNTER",
        class_name: "Counter",
        namespace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    const details = await resultOf<{ script: { migration_tag?: string } }>(
      await call(acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}`)),
    );
    expect(details.script.migration_tag).toBe("v1");
  });

  it("belong to their class's namespace: a renamed class keeps them, a deleted one loses them", async () => {
    const { namespace, script } = await counterTenant();
    await count(namespace, script);
    await count(namespace, script);
    await resultOf(
      await upload(namespace, script, {
        source: counterScript("Tally"),
        binding: "Tally",
        migrations: { old_tag: "v1", new_tag: "v2", renamed_classes: [{ from: "Counter", to: "Tally" }] },
      }),
    );
    expect(await count(namespace, script)).toBe(3);

    await resultOf(
      await upload(namespace, script, {
        source: counterScript("Tally"),
        binding: null,
        migrations: { old_tag: "v2", new_tag: "v3", deleted_classes: ["Tally"] },
      }),
    );
    await resultOf(
      await upload(namespace, script, {
        source: counterScript("Tally"),
        binding: "Tally",
        migrations: { old_tag: "v3", new_tag: "v4", new_sqlite_classes: ["Tally"] },
      }),
    );
    expect(await count(namespace, script)).toBe(1);
  });

  it("are created by the declarative exports form too, and deleted by it", async () => {
    const namespace = await createNamespace();
    const script = "declared";
    const form = (exports: Record<string, unknown>, bindings: unknown[]) => {
      const body = new FormData();
      const metadata = { main_module: "index.js", compatibility_date: COMPATIBILITY_DATE, bindings, exports };
      body.set("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
      body.set("index.js", new File([counterScript("Counter")], "index.js", { type: "application/javascript+module" }));
      return call(acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}`), { method: "PUT", body });
    };
    const binding = { type: "durable_object_namespace", name: "COUNTER", class_name: "Counter" };
    await resultOf(await form({ Counter: { type: "durable-object", storage: "sqlite" } }, [binding]));
    expect(await count(namespace, script)).toBe(1);
    await resultOf(await form({ Counter: { type: "durable-object", storage: "sqlite" } }, [binding]));
    expect(await count(namespace, script)).toBe(2);
    await resultOf(await form({ Counter: { type: "durable-object", state: "deleted" } }, []));
    await resultOf(await form({ Counter: { type: "durable-object", storage: "sqlite" } }, [binding]));
    expect(await count(namespace, script)).toBe(1);
  });

  it("are deleted with their script", async () => {
    const { namespace, script } = await counterTenant();
    await count(namespace, script);
    await count(namespace, script, "b");
    const host = hostOf(namespace, script);
    expect(await objectsIn(host)).toBe(2);
    await resultOf(
      await call(acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}`), { method: "DELETE" }),
    );
    expect(
      await eventually(
        () => objectsIn(host),
        (n) => n === 0,
      ),
    ).toBe(0);

    await resultOf(
      await upload(namespace, script, {
        source: counterScript("Counter"),
        migrations: { new_tag: "v1", new_sqlite_classes: ["Counter"] },
      }),
    );
    expect(await count(namespace, script)).toBe(1);
  });
});

describe("an upload's Durable Object classes are checked as the API checks them", () => {
  it("refuses a binding to a class no migration created", async () => {
    const namespace = await createNamespace();
    const error = await errorOf(await upload(namespace, "unmigrated", { source: counterScript("Counter") }), 400);
    expect(error).toEqual({
      code: 10061,
      message:
        "Cannot create binding for class 'Counter' because it is not currently configured to implement Durable Objects. Ensure a --new-class migration has been applied to it.",
    });
  });

  it("refuses a declared class the script does not export", async () => {
    const namespace = await createNamespace();
    const refused = await upload(namespace, "unexported", {
      source: counterScript("Counter"),
      binding: "Missing",
      migrations: { new_tag: "v1", new_sqlite_classes: ["Missing"] },
    });
    expect(await errorOf(refused, 400)).toEqual({
      code: 10061,
      message: "Cannot create binding for class Missing that is not exported by the script",
    });
  });

  it("refuses a migration whose old tag is not the script's tag", async () => {
    const namespace = await createNamespace();
    const first = await upload(namespace, "tagged", {
      source: counterScript("Counter"),
      migrations: { old_tag: "v0", new_tag: "v1", new_sqlite_classes: ["Counter"] },
    });
    expect(await errorOf(first, 400)).toMatchObject({
      code: 10079,
      message: expect.stringContaining("current tag is not set"),
    });
    const { script } = await counterTenant(namespace);
    const stale = await upload(namespace, script, {
      source: counterScript("Counter"),
      migrations: { old_tag: "v0", new_tag: "v2", new_sqlite_classes: ["Other"] },
    });
    expect(await errorOf(stale, 400)).toEqual({
      code: 10079,
      message: "Migration tag precondition failed; current tag is v1",
    });
  });

  it("refuses to create a class twice, to rename or delete one that is not there, and both forms at once", async () => {
    const { namespace, script } = await counterTenant();
    const twice = await upload(namespace, script, {
      source: counterScript("Counter"),
      migrations: { old_tag: "v1", new_tag: "v2", new_sqlite_classes: ["Counter"] },
    });
    expect((await errorOf(twice, 400)).code).toBe(10074);
    const rename = await upload(namespace, script, {
      source: counterScript("Counter"),
      migrations: { old_tag: "v1", new_tag: "v2", renamed_classes: [{ from: "Nope", to: "Counter2" }] },
    });
    expect(await errorOf(rename, 400)).toMatchObject({
      code: 10021,
      message: expect.stringContaining("non-existent class Nope"),
    });
    const bound = await upload(namespace, script, {
      source: counterScript("Counter"),
      migrations: { old_tag: "v1", new_tag: "v2", deleted_classes: ["Counter"] },
    });
    expect(await errorOf(bound, 400)).toMatchObject({
      code: 10021,
      message: expect.stringContaining("without also removing the binding that references it"),
    });
    // Nothing of the refused changes stuck: the objects and the tag are as they were.
    expect(await count(namespace, script)).toBe(1);
  });
});

describe("a tenant's objects are its own", () => {
  it("two scripts with the same class and object names have separate objects", async () => {
    const namespace = await createNamespace();
    const one = await counterTenant(namespace);
    const two = await counterTenant(namespace);
    const other = await counterTenant();
    await count(one.namespace, one.script);
    await count(one.namespace, one.script);
    expect(await count(two.namespace, two.script)).toBe(1);
    expect(await count(other.namespace, other.script)).toBe(1);
    expect(await count(one.namespace, one.script)).toBe(3);
  });

  it("an id of another script's namespace is refused, however it is obtained", async () => {
    const one = await counterTenant();
    const two = await counterTenant();
    const foreign = (await get(one.namespace, one.script, "/id?name=a")).body as string;
    const attempt = await get(two.namespace, two.script, `/attach?id=${foreign}`);
    expect(attempt).toEqual({
      status: 500,
      body: { error: "TypeError: Durable Object ID is not valid for this namespace." },
    });
  });

  it("headers naming another script's object reach only the tenant's own", async () => {
    const victim = await counterTenant();
    const attacker = await counterTenant();
    await count(victim.namespace, victim.script);
    await count(victim.namespace, victim.script);
    const victimId = (await get(victim.namespace, victim.script, "/id?name=a")).body as string;
    const settings = await resultOf<{ bindings: { namespace_id: string }[] }>(
      await call(acct(`/workers/dispatch/namespaces/${victim.namespace}/scripts/${victim.script}/settings`)),
    );
    const query = new URLSearchParams({
      account: ACCOUNT,
      ns: victim.namespace,
      script: victim.script,
      nsid: settings.bindings[0]?.namespace_id ?? "",
      id: victimId,
    });
    // The attacker's own object "a" counts (1), and the victim's stays at 2.
    expect((await get(attacker.namespace, attacker.script, `/forged?${query}`)).body).toEqual({ n: 1, version: "one" });
    expect(await count(victim.namespace, victim.script)).toBe(3);
  });

  it("the emulator's own methods and bindings are out of a tenant's reach", async () => {
    const { namespace, script } = await counterTenant();
    expect((await get(namespace, script, "/reserved")).body).toEqual({
      error: 'TypeError: The RPC receiver does not implement the method "__wfp_alarm".',
    });
    expect((await get(namespace, script, "/env")).body).toEqual(["COUNTER"]);
  });

  it("an object's subrequests do not pass through the namespace's outbound Worker, as in production", async () => {
    const { namespace, script } = await counterTenant();
    const response = await dispatch(
      namespace,
      script,
      "http://tenant/egress",
      {},
      namespaceBinding(namespace, { outbound: true }),
    );
    expect(await response.json()).toEqual({
      fromWorker: true,
      // Straight to the network instead, under the emulator's own rule that no name is reached.
      fromObject: expect.stringContaining("Subrequest refused: a tenant worker cannot reach names (example.com)"),
    });
  });

  it("setAlarm needs an alarm() handler, as in production", async () => {
    const { namespace, script } = await counterTenant();
    expect((await get(namespace, script, "/no-alarm-handler")).body).toBe(
      "Your Durable Object class must have an alarm() handler in order to call setAlarm()",
    );
  });
});
