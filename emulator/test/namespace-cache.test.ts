import { describe, expect, it } from "vitest";
import { isDeployedKept } from "../src/dispatch/deployed-cache";
import { ACCOUNT, call, json, resultOf } from "./helpers";
import { createNamespace, nsPath, scriptPath, settingsForm, upload } from "./scripts-helpers";
import { dispatch } from "./tenant";
import { createDeployment, uploadVersion } from "./versions-helpers";

/*
 * The namespace keeps what each script runs (dispatch/deployed-cache.ts): every change the store
 * makes to a script must be what the very next request runs, with no request in between.
 */

/** A worker that answers its label, its WHO var and whether it has the secret S. */
const reporter = (label: string) => ({
  "index.js": {
    code: `export default { fetch(request, env) { return Response.json({ label: ${JSON.stringify(label)}, who: env.WHO ?? null, secret: env.S ?? null }); } };`,
  },
});

interface Report {
  label: string;
  who: string | null;
  secret: string | null;
}

const put = async (ns: string, script: string, label: string, metadata: Record<string, unknown> = {}) =>
  resultOf<{ etag: string }>(await upload(ns, script, { main_module: "index.js", ...metadata }, reporter(label)));

const ask = async (ns: string, script: string, headers: Record<string, string> = {}): Promise<Report> =>
  (await dispatch(ns, script, new Request("http://tenant/", { headers }))).json<Report>();

/** Sends a request, so the script is kept, and checks that it is. */
async function warm(ns: string, script: string): Promise<Report> {
  const report = await ask(ns, script);
  expect(isDeployedKept(ACCOUNT, ns, script)).toBe(true);
  return report;
}

describe("the namespace's kept deployments", () => {
  it("keep a script once it is served: the store runs in the dispatch path's isolate", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one");
    expect(isDeployedKept(ACCOUNT, ns, "w")).toBe(false);
    expect((await warm(ns, "w")).label).toBe("one");
    expect((await ask(ns, "w")).label).toBe("one");
  });

  it("run a re-upload on the next request", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one");
    await warm(ns, "w");
    await put(ns, "w", "two");
    expect(isDeployedKept(ACCOUNT, ns, "w")).toBe(false);
    expect((await ask(ns, "w")).label).toBe("two");
  });

  it("run a settings change and a secret put or deleted on the next request", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one", { bindings: [{ type: "plain_text", name: "WHO", text: "acme" }] });
    expect((await warm(ns, "w")).who).toBe("acme");

    const patched = await call(scriptPath(ns, "w", "/settings"), {
      method: "PATCH",
      body: settingsForm({ bindings: [{ type: "plain_text", name: "WHO", text: "globex" }] }),
    });
    await resultOf(patched);
    expect((await ask(ns, "w")).who).toBe("globex");

    await resultOf(
      await call(scriptPath(ns, "w", "/secrets"), json("PUT", { name: "S", text: "s1", type: "secret_text" })),
    );
    expect((await ask(ns, "w")).secret).toBe("s1");
    await resultOf(
      await call(scriptPath(ns, "w", "/secrets"), json("PUT", { name: "S", text: "s2", type: "secret_text" })),
    );
    expect((await ask(ns, "w")).secret).toBe("s2");
    await resultOf(await call(scriptPath(ns, "w", "/secrets/S"), { method: "DELETE" }));
    expect((await ask(ns, "w")).secret).toBeNull();
  });

  it("run a new deployment on the next request, and not a version only uploaded", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one");
    await warm(ns, "w");
    const two = await resultOf<{ id: string }>(
      await uploadVersion(ns, "w", { main_module: "index.js" }, reporter("two")),
    );
    expect((await warm(ns, "w")).label).toBe("one");
    await resultOf(await createDeployment(ns, "w", [[two.id, 100]]));
    expect((await ask(ns, "w")).label).toBe("two");
  });

  it("answer 'Worker not found' on the next request after a delete, and run the script made again", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one");
    await warm(ns, "w");
    await resultOf(await call(scriptPath(ns, "w"), { method: "DELETE" }));
    await expect(ask(ns, "w")).rejects.toThrow("Worker not found");
    // The missing script is kept too, until it is uploaded again.
    expect(isDeployedKept(ACCOUNT, ns, "w")).toBe(true);
    await put(ns, "w", "again");
    expect((await ask(ns, "w")).label).toBe("again");
  });

  it("forget the scripts of a bulk delete by tag and of a deleted namespace", async () => {
    const ns = await createNamespace();
    await put(ns, "tagged", "t", { tags: ["doomed"] });
    await put(ns, "other", "o");
    await warm(ns, "tagged");
    await warm(ns, "other");
    await resultOf(await call(`${nsPath(ns, "/scripts")}?tags=doomed:yes`, { method: "DELETE" }));
    await expect(ask(ns, "tagged")).rejects.toThrow("Worker not found");
    expect((await warm(ns, "other")).label).toBe("o");

    await resultOf(await call(nsPath(ns), { method: "DELETE" }));
    await expect(ask(ns, "other")).rejects.toThrow("Worker not found");
  });

  it("keep another account's script of the same names apart", async () => {
    const ns = await createNamespace();
    await put(ns, "w", "one");
    await warm(ns, "w");
    expect(isDeployedKept("fedcba9876543210fedcba9876543210", ns, "w")).toBe(false);
  });
});
