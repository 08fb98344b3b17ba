import { describe, expect, it } from "vitest";
import { issueSession } from "../../src/console/session";
import { TOKEN } from "../tenants/support";
import { browse, csrfOf, post, sessionCookieOf, signIn } from "./console-support";

describe("console sign-in", () => {
  it("sends a browser without a session to sign in, and back after", async () => {
    const page = await browse("/console/tenants?state=failed");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe(
      `/console/sign-in?next=${encodeURIComponent("/console/tenants?state=failed")}`,
    );
    expect((await browse("/")).headers.get("location")).toBe("/console");
  });

  it("exchanges the token for a session cookie (HttpOnly, SameSite=Strict, expiring) and never shows the token", async () => {
    const form = await browse("/console/sign-in");
    expect(form.status).toBe(200);
    expect(form.headers.get("content-security-policy")).toContain("script-src 'self'");
    const response = await post("/console/sign-in", { token: TOKEN, next: "/console/rollouts" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/rollouts");
    const setCookie = response.headers.getSetCookie().join("\n");
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Max-Age=28800/);
    // Plain HTTP here; over HTTPS (production) the cookie is Secure.
    expect(setCookie).not.toContain(TOKEN);
    const https = await post("/console/sign-in", { token: TOKEN }, undefined, "https://control-plane");
    expect(https.status).toBe(403); // another origin than the request's: refused by the Origin check
    expect(await https.text()).toContain("<title>Refused · WfP console</title>"); // a page of the console's
  });

  it("refuses a wrong token with a 401 page that does not echo it", async () => {
    const response = await post("/console/sign-in", { token: "not-the-token" });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain("That token is wrong");
    expect(html).not.toContain("not-the-token");
    expect(sessionCookieOf(response)).toBeUndefined();
  });

  it("never sends the browser off the console after sign-in", async () => {
    for (const next of ["https://evil.example/", "//evil.example", "/v1/tenants", "/console//evil.example"]) {
      const response = await post("/console/sign-in", { token: TOKEN, next });
      expect(response.headers.get("location"), next).toBe("/console/tenants");
    }
  });

  it("refuses a forged, tampered or expired session", async () => {
    const good = await signIn();
    expect((await browse("/console", { cookie: good })).headers.get("location")).toBe("/console/tenants");
    const [id, expiry, mac] = good.split(".") as [string, string, string];
    const later = `${id}.${Number(expiry) + 86_400_000}.${mac}`;
    const { cookie: expired } = await issueSession(TOKEN, 60, Date.now() - 120_000);
    const { cookie: otherKey } = await issueSession("another-token", 3600);
    for (const cookie of [later, expired, otherKey, "garbage"]) {
      const response = await browse("/console/tenants", { cookie });
      expect(response.status, cookie).toBe(303);
      expect(response.headers.get("location"), cookie).toMatch(/^\/console\/sign-in\?next=.*&expired=1$/);
    }
  });

  it("refuses a form post without the session's CSRF token, or from another origin", async () => {
    const cookie = await signIn();
    const page = await (await browse("/console/sign-in", { cookie })).text();
    expect(() => csrfOf(page)).toThrow(); // the sign-in page has no session form
    const missing = await post("/console/sign-out", {}, cookie);
    expect(missing.status).toBe(403);
    const wrong = await post("/console/sign-out", { _csrf: "A".repeat(43) }, cookie);
    expect(wrong.status).toBe(403);
    const other = await post("/console/sign-out", { _csrf: "A".repeat(43) }, cookie, "http://evil.example");
    expect(other.status).toBe(403);
  });
});
