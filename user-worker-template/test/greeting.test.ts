import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorOf } from "./helpers";

describe("GET /", () => {
  it("greets with the GREETING var and the tenant the dispatcher names", async () => {
    const res = await call("/", { headers: { "x-platform-tenant": "acme" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ greeting: env.GREETING, tenant: "acme" });
    expect(env.GREETING).toBe("Hello from a Workers for Platforms tenant!");
  });

  it("has no tenant outside the platform", async () => {
    expect(await (await call("/")).json()).toEqual({ greeting: env.GREETING, tenant: null });
  });

  it("answers 405 with Allow for another method", async () => {
    const res = await call("/", { method: "POST" });
    expect((await errorOf(res, 405)).code).toBe("method_not_allowed");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("an unknown path", () => {
  it("answers 404 in JSON", async () => {
    const error = await errorOf(await call("/nowhere"), 404);
    expect(error).toEqual({ code: "not_found", message: "no route for /nowhere" });
  });
});
