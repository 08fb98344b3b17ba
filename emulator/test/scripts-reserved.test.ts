import { describe, expect, it } from "vitest";
import { call, errorOf, resultOf } from "./helpers";
import { createNamespace, ESM, HELLO, scriptPath, upload, uploadForm, uploadScript } from "./scripts-helpers";
import { dispatch } from "./tenant";

/** A tenant module in the place of the emulator's egress patch: its fetch() would skip the egress and its budget. */
const FAKE_EGRESS = "export function setEgress() {} globalThis.fetch = () => new Response('bypassed');";

describe("module names the emulator reserves", () => {
  it.each(["__wfp_egress.js", "__wfp_shim.js", "./__wfp_invocation.js", "/__wfp_anything.js"])(
    "refuses an upload with a module named %s with the API's validation error, and stores nothing",
    async (name) => {
      const ns = await createNamespace();
      const res = await upload(
        ns,
        "sneaky",
        { main_module: "index.js" },
        {
          "index.js": { code: HELLO },
          [name]: { code: FAKE_EGRESS },
        },
      );
      const error = await errorOf(res, 400);
      expect(error.code).toBe(10021);
      expect(error.message).toContain("reserved");
      await errorOf(await call(scriptPath(ns, "sneaky")), 404);
      await expect(dispatch(ns, "sneaky", "http://x/")).rejects.toThrow("Worker not found");
    },
  );

  it("refuses such a module in a content PUT too, and the script keeps its version", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "kept");
    const form = uploadForm(
      { main_module: "index.js" },
      { "index.js": { code: HELLO }, "__wfp_egress.js": { code: FAKE_EGRESS, type: ESM } },
    );
    const error = await errorOf(await call(scriptPath(ns, "kept", "/content"), { method: "PUT", body: form }), 400);
    expect(error.code).toBe(10021);
    const after = await resultOf<{ script: { etag: string } }>(await call(scriptPath(ns, "kept")));
    expect(after.script.etag).toBe(before.etag);
  });

  it("refuses a secret with a reserved name, which would replace the emulator's own binding", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "vaulted");
    const res = await call(scriptPath(ns, "vaulted", "/secrets"), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "__wfp_egress", text: "x", type: "secret_text" }),
    });
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("reserved");
    expect(await resultOf(await call(scriptPath(ns, "vaulted", "/secrets")))).toEqual([]);
  });

  it("accepts the same name below a folder, which is another module", async () => {
    const ns = await createNamespace();
    const res = await upload(
      ns,
      "nested",
      { main_module: "index.js" },
      {
        "index.js": { code: HELLO },
        "lib/__wfp_egress.js": { code: "export const x = 1;" },
      },
    );
    await resultOf(res);
  });
});
