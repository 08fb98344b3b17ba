import { describe, expect, it } from "vitest";
import { type CheckInput, check } from "../src/custom-hostnames/check";
import { dcvRecord, ownershipHttp, ownershipTxt, type Published } from "../src/custom-hostnames/records";

const tokens = {
  hostname: "shop.example.com",
  id: "h1",
  ownershipToken: "own-token",
  dcvToken: "dcv-token-0123456789abcdef",
};
const nothing: Published = { txt: () => [], http: () => null };
const input = (over: Partial<CheckInput> = {}): CheckInput => ({
  tokens,
  method: "txt",
  state: { status: "pending", sslStatus: "initializing", verificationErrors: [], validationErrors: [] },
  startedAtMs: 0,
  nowMs: 10,
  timeoutMs: 100,
  published: nothing,
  ...over,
});

describe("one validation pass", () => {
  it("leaves a hostname with nothing published pending, its certificate waiting for validation", () => {
    expect(check(input())).toEqual({
      status: "pending",
      sslStatus: "pending_validation",
      verificationErrors: [],
      validationErrors: [],
    });
  });

  it("takes ownership from the TXT record or the HTTP token, and the certificate from its own record", () => {
    const txt = ownershipTxt(tokens);
    const byTxt: Published = { txt: (name) => (name === txt.name ? ["other", txt.value] : []), http: () => null };
    expect(check(input({ published: byTxt }))).toMatchObject({ status: "active", sslStatus: "pending_validation" });

    const http = ownershipHttp(tokens);
    const dcv = dcvRecord(tokens, "http");
    const bodies = new Map([
      [http.http_url, http.http_body],
      [dcv.http_url, dcv.http_body],
    ]);
    const byHttp: Published = { txt: () => [], http: (url) => bodies.get(url) ?? null };
    expect(check(input({ method: "http", published: byHttp }))).toMatchObject({
      status: "active",
      sslStatus: "active",
    });
  });

  it("does not take a record with the wrong value", () => {
    const wrong: Published = { txt: () => ["not-the-token"], http: () => "not-the-body" };
    expect(check(input({ published: wrong }))).toMatchObject({ status: "pending", sslStatus: "pending_validation" });
  });

  it("times out what is unproven at the timeout, and keeps what was proven", () => {
    const timedOut = check(input({ nowMs: 100 }));
    expect(timedOut.status).toBe("pending");
    expect(timedOut.verificationErrors).toHaveLength(1);
    expect(timedOut.sslStatus).toBe("validation_timed_out");

    const active = check(
      input({
        nowMs: 100,
        state: { status: "active", sslStatus: "pending_validation", verificationErrors: [], validationErrors: [] },
      }),
    );
    expect(active).toMatchObject({ status: "active", verificationErrors: [], sslStatus: "validation_timed_out" });
  });

  it("stops checking once timed out", () => {
    const txt = ownershipTxt(tokens);
    const late: Published = { txt: (name) => (name === txt.name ? [txt.value] : []), http: () => null };
    const state = {
      status: "pending" as const,
      sslStatus: "validation_timed_out" as const,
      verificationErrors: ["timed out"],
      validationErrors: ["timed out"],
    };
    expect(check(input({ state, published: late }))).toEqual(state);
  });
});
