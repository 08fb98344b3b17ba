import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { configOf } from "../../src/config";
import { testEnv } from "./support";

describe("configuration", () => {
  it("fails, naming each var that is wrong", () => {
    expect(() => configOf({ ...testEnv, OPERATION_MAX_ATTEMPTS: "many", PLATFORM_DOMAIN: "not a domain" })).toThrow(
      /^invalid control plane configuration: PLATFORM_DOMAIN: .*; OPERATION_MAX_ATTEMPTS: /,
    );
  });

  it("lets nobody in while PLATFORM_API_TOKEN is not set", async () => {
    const answer = await app.request(
      "/v1/tenants",
      { headers: { authorization: "Bearer anything" } },
      { ...testEnv, PLATFORM_API_TOKEN: "" },
    );
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({
      error: { code: "unauthorized", message: "the control plane has no PLATFORM_API_TOKEN set" },
    });
  });
});
