import { describe, expect, it } from "vitest";
import { anonymous, expectError } from "./api-support";
import { api, TOKEN, uniqueId } from "./support";

/** The answer is a 401 in the API's one error shape, and says nothing of the expected token. */
function expectUnauthorized(answer: { status: number; text: string; headers: Headers; json: unknown }) {
  const error = expectError(answer, 401, "unauthorized");
  expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
  expect(answer.text).not.toContain(TOKEN);
  return error;
}

describe("authentication", () => {
  it("refuses /v1 without an Authorization header, saying what to send", async () => {
    expect(expectUnauthorized(await anonymous("GET", "/v1/tenants")).message).toMatch(/Authorization/);
  });

  it.each([
    ["an empty header", ""],
    ["another scheme", `Basic ${btoa(`user:${TOKEN}`)}`],
    ["the scheme alone", "Bearer"],
    ["the token alone", TOKEN],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`],
  ])("refuses a malformed Authorization header (%s)", async (_, header) => {
    const answer = await api("GET", "/v1/tenants", undefined, { authorization: header });
    expect(expectUnauthorized(answer).message).toMatch(/Bearer/);
  });

  it.each([
    ["a wrong token", "not-the-platform-token"],
    ["the token with a character more", `${TOKEN}x`],
    ["the token less its last character", TOKEN.slice(0, -1)],
    ["the token in another case", TOKEN.toUpperCase()],
  ])("refuses %s, without echoing it", async (_, token) => {
    const answer = await api("GET", "/v1/tenants", undefined, { authorization: `Bearer ${token}` });
    expectUnauthorized(answer);
    expect(answer.text).not.toContain(token);
  });

  it("accepts the platform's token (the scheme in any case, as RFC 7235 has it)", async () => {
    for (const scheme of ["Bearer", "bearer"]) {
      const answer = await api("GET", "/v1/tenants?limit=1", undefined, { authorization: `${scheme} ${TOKEN}` });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.text).not.toContain(TOKEN);
    }
  });

  it("checks the token before the body or the route: nothing is created without it", async () => {
    const id = uniqueId("noauth");
    const created = await api("POST", "/v1/tenants", { id, plan: "pro" }, { authorization: "Bearer wrong" });
    expectUnauthorized(created);
    expectUnauthorized(await anonymous("POST", "/v1/tenants", "{not json"));
    expectUnauthorized(await anonymous("GET", "/v1/no-such-route"));
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it.each(["PATCH", "DELETE"])("refuses %s on a tenant without the token", async (method) => {
    expectUnauthorized(
      await anonymous(method, `/v1/tenants/${uniqueId()}`, method === "PATCH" ? '{"plan":"free"}' : undefined),
    );
  });

  it("serves /health, /openapi.json and /docs without a token", async () => {
    for (const path of ["/health", "/openapi.json", "/docs"]) {
      const answer = await anonymous("GET", path);
      expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBe(200);
      expect(answer.text).not.toContain(TOKEN);
    }
  });
});
