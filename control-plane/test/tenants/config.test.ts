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

  it("reads the staged rollouts' window and tolerance, with defaults, and refuses them out of range", () => {
    const { ROLLOUT_OBSERVATION_MS: _window, ROLLOUT_ERROR_RATE_TOLERANCE: _tolerance, ...unset } = testEnv;
    expect(configOf({ ...unset }).canary).toEqual({ observationMs: 300_000, errorRateTolerance: 0.01 });
    expect(configOf({ ...unset, ROLLOUT_OBSERVATION_MS: "2500", ROLLOUT_ERROR_RATE_TOLERANCE: "0" }).canary).toEqual({
      observationMs: 2500,
      errorRateTolerance: 0,
    });
    expect(() => configOf({ ...unset, ROLLOUT_OBSERVATION_MS: "0", ROLLOUT_ERROR_RATE_TOLERANCE: "1.5" })).toThrow(
      /^invalid control plane configuration: ROLLOUT_OBSERVATION_MS: .*; ROLLOUT_ERROR_RATE_TOLERANCE: /,
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
