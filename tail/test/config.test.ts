import { describe, expect, it } from "vitest";
import { configOf } from "../src/config";

describe("the tail Worker's vars", () => {
  it("are read into its configuration, with defaults", () => {
    expect(configOf({ DISPATCH_NAMESPACE: "wfp-tenants" })).toEqual({
      namespace: "wfp-tenants",
      retentionEvents: 1000,
      retentionMs: 7 * 24 * 60 * 60 * 1000,
    });
    expect(configOf({ DISPATCH_NAMESPACE: "ns", LOG_RETENTION_EVENTS: "5", LOG_RETENTION_DAYS: "0.5" })).toMatchObject({
      retentionEvents: 5,
      retentionMs: 12 * 60 * 60 * 1000,
    });
  });

  it("fail naming each wrong var", () => {
    expect(() => configOf({ LOG_RETENTION_EVENTS: "0", LOG_RETENTION_DAYS: "x" })).toThrow(
      /^invalid tail Worker configuration: DISPATCH_NAMESPACE: .*; LOG_RETENTION_EVENTS: .*; LOG_RETENTION_DAYS: /,
    );
  });
});
