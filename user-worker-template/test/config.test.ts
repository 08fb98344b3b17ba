import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { configOf } from "../src/config";
import app from "../src/index";

describe("configuration", () => {
  it("fails, naming the var, when one is not what it must be", () => {
    expect(() => configOf({ ...env, GREETING: 42 })).toThrow(/^invalid tenant Worker configuration: GREETING: /);
  });

  it("a PUBLIC_WRITES that is neither true nor false closes the writes (writes.test.ts) and nothing else", async () => {
    const res = await app.request("/", {}, { ...env, PUBLIC_WRITES: "yes" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ greeting: env.GREETING });
  });
});
