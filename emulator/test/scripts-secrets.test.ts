import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ACCOUNT, call, errorOf, json, resultOf } from "./helpers";
import { createNamespace, nsPath, scriptPath, settingsForm, upload, uploadScript } from "./scripts-helpers";

const SECRET = `sup3r-s3cr3t-${crypto.randomUUID()}`;
const OTHER_SECRET = `an0ther-s3cr3t-${crypto.randomUUID()}`;

/** Every answer in this file goes through here: none may contain a secret value anywhere. */
async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await call(path, init);
  const text = await res.clone().text();
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(OTHER_SECRET);
  return res;
}

const runnableBindings = async (ns: string, script: string) =>
  (await env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT)).getRunnableScript(ns, script))?.bindings;

const logged: unknown[][] = [];
beforeEach(() => {
  logged.length = 0;
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args);
    });
  }
});
afterEach(() => {
  const text = JSON.stringify(logged.map((args) => args.map(String)));
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(OTHER_SECRET);
  vi.restoreAllMocks();
});

describe("secrets", () => {
  it("are put, listed, read and deleted by name, and their values never come back", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "vault", { bindings: [{ type: "secret_text", name: "FROM_UPLOAD", text: OTHER_SECRET }] });

    const put = await send(
      scriptPath(ns, "vault", "/secrets"),
      json("PUT", { name: "API_KEY", text: SECRET, type: "secret_text" }),
    );
    expect(await resultOf(put)).toEqual({ name: "API_KEY", type: "secret_text" });
    expect(await resultOf(await send(scriptPath(ns, "vault", "/secrets")))).toEqual([
      { name: "FROM_UPLOAD", type: "secret_text" },
      { name: "API_KEY", type: "secret_text" },
    ]);
    expect(await resultOf(await send(scriptPath(ns, "vault", "/secrets/API_KEY")))).toEqual({
      name: "API_KEY",
      type: "secret_text",
    });
    expect(await runnableBindings(ns, "vault")).toContainEqual({ type: "secret_text", name: "API_KEY", text: SECRET });

    // Everything else that shows the script shows the secrets as bindings without values.
    expect(await resultOf(await send(scriptPath(ns, "vault", "/bindings")))).toEqual([
      { type: "secret_text", name: "FROM_UPLOAD" },
      { type: "secret_text", name: "API_KEY" },
    ]);
    await send(scriptPath(ns, "vault", "/settings"));
    await send(scriptPath(ns, "vault"));
    await send(nsPath(ns, "/scripts"));
    await send(scriptPath(ns, "vault", "/settings"), {
      method: "PATCH",
      body: settingsForm({
        bindings: [
          { type: "inherit", name: "API_KEY" },
          { type: "inherit", name: "FROM_UPLOAD" },
        ],
      }),
    });
    const content = await call(scriptPath(ns, "vault", "/content"));
    expect(await content.text()).not.toContain(SECRET);
    const reupload = await upload(ns, "vault", { main_module: "index.js", keep_bindings: ["secret_text"] });
    expect(await reupload.clone().text()).not.toContain(SECRET);
    await resultOf(reupload);
    expect(await runnableBindings(ns, "vault")).toContainEqual({ type: "secret_text", name: "API_KEY", text: SECRET });
  });

  it("replace the value of a secret of the same name, making a new version", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "rotate");
    const putSecret = (text: string) =>
      send(scriptPath(ns, "rotate", "/secrets"), json("PUT", { name: "KEY", text, type: "secret_text" }));
    await resultOf(await putSecret(OTHER_SECRET));
    await resultOf(await putSecret(SECRET));
    expect(await runnableBindings(ns, "rotate")).toEqual([{ type: "secret_text", name: "KEY", text: SECRET }]);
    const after = await resultOf<{ script: { etag: string } }>(await send(scriptPath(ns, "rotate")));
    expect(after.script.etag).not.toBe(before.etag);
    expect(after.script.etag).not.toContain(SECRET);
  });

  it("are deleted by name, and then answer 404 with code 10056", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "forget", { bindings: [{ type: "plain_text", name: "PLAIN", text: "p" }] });
    await resultOf(
      await send(
        scriptPath(ns, "forget", "/secrets"),
        json("PUT", { name: "GONE", text: SECRET, type: "secret_text" }),
      ),
    );
    expect(await resultOf(await send(scriptPath(ns, "forget", "/secrets/GONE"), { method: "DELETE" }))).toBeNull();
    expect(await runnableBindings(ns, "forget")).toEqual([{ type: "plain_text", name: "PLAIN", text: "p" }]);
    for (const method of ["GET", "DELETE"]) {
      const error = await errorOf(await send(scriptPath(ns, "forget", "/secrets/GONE"), { method }), 404);
      expect(error.code).toBe(10056);
    }
    // A plain_text binding is not a secret.
    expect((await errorOf(await send(scriptPath(ns, "forget", "/secrets/PLAIN")), 404)).code).toBe(10056);
  });

  it("are refused without echoing the value", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "careful", { bindings: [{ type: "plain_text", name: "TAKEN", text: "t" }] });
    const secrets = scriptPath(ns, "careful", "/secrets");
    const refusals: RequestInit[] = [
      json("PUT", { name: "K", text: SECRET, type: "secret_key" }),
      json("PUT", { name: "K", text: SECRET }),
      json("PUT", { name: "", text: SECRET, type: "secret_text" }),
      json("PUT", { name: "TAKEN", text: SECRET, type: "secret_text" }),
      { method: "PUT", body: `{"name":"K","text":"${SECRET}"`, headers: { "content-type": "application/json" } },
    ];
    for (const init of refusals) expect((await errorOf(await send(secrets, init), 400)).code).toBe(10021);
    const missing = await send(
      scriptPath(ns, "nobody", "/secrets"),
      json("PUT", { name: "K", text: SECRET, type: "secret_text" }),
    );
    expect((await errorOf(missing, 404)).code).toBe(10007);

    // Uploads that carry a secret and are refused do not echo it either.
    const badBinding = await upload(ns, "careful", {
      main_module: "index.js",
      bindings: [{ type: "secret_text", name: "", text: SECRET }],
    });
    expect(await badBinding.clone().text()).not.toContain(SECRET);
    expect((await errorOf(badBinding, 400)).code).toBe(10021);
    const notJson = await upload(ns, "careful", `{"bindings":[{"type":"secret_text","text":"${SECRET}"`);
    expect(await notJson.clone().text()).not.toContain(SECRET);
    expect((await errorOf(notJson, 400)).code).toBe(10021);
  });
});
