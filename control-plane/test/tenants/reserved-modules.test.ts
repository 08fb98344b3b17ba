import { beforeAll, describe, expect, it } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { expectError, expectNothingCreated } from "./api-support";
import { api, ensureNamespace, NOTES_APP, newTenant, settled, uniqueId } from "./support";

beforeAll(ensureNamespace);

/** A tenant's module named as one the local emulator ships into every loaded worker (its egress patch). */
const WITH_RESERVED_MODULE: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": 'export default { fetch: () => new Response("hi") };',
    "__wfp_egress.js": "export function setEgress() {}",
  },
};

describe("a module name the emulator reserves (__wfp_*)", () => {
  it("at onboarding: 422 script_rejected with the API's message, and nothing created", async () => {
    const id = uniqueId("reserved");
    const answer = await api("POST", "/v1/tenants", newTenant(id, { script: WITH_RESERVED_MODULE }));
    const error = expectError(answer, 422, "script_rejected");
    expect(error.message).toContain("__wfp_");
    await expectNothingCreated(id);
  });

  it("on PUT …/script: 422 script_rejected with the API's message", async () => {
    const id = uniqueId("reserved");
    await api("POST", "/v1/tenants", newTenant(id, { script: NOTES_APP }));
    await settled(id, ["active"]);
    const error = expectError(
      await api("PUT", `/v1/tenants/${id}/script`, WITH_RESERVED_MODULE),
      422,
      "script_rejected",
    );
    expect(error.message).toContain("__wfp_");
  });
});
