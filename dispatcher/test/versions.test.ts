import { beforeAll, describe, expect, it } from "vitest";
import { AFFINITY_COOKIE, affinityIdOf, withoutAffinityCookie } from "../src/versions";
import { type Echo, harness, putRoute, routeFor, scripts, tenant, testEnv } from "./support";

const VERSION = "0123abcd-0000-4000-8000-000000000001";

let echo: { tenantId: string; host: string };

beforeAll(async () => {
  echo = await tenant(scripts.echo);
});

/** A hostname of the echo tenant whose route carries `fields`. */
async function echoRoute(label: string, fields: { version?: string; split?: boolean }): Promise<string> {
  const host = `${label}.${testEnv.PLATFORM_DOMAIN}`;
  await putRoute(host, { ...routeFor(echo.tenantId), ...fields });
  return host;
}

describe("preview hostnames", () => {
  it("ask for the route's version with an override keyed by the script's name", async () => {
    const host = await echoRoute(`0123abcd--${echo.tenantId}`, { version: VERSION });
    const res = await harness().fetch(`http://${host}/`, {
      headers: { "Cloudflare-Workers-Version-Overrides": `${echo.tenantId}="ffffffff-0000-4000-8000-000000000000"` },
    });
    const { headers } = await res.json<Echo>();
    // The client's override is gone; the route's is the only one.
    expect(headers["cloudflare-workers-version-overrides"]).toBe(`${echo.tenantId}="${VERSION}"`);
    expect(headers["cloudflare-workers-version-key"]).toBeUndefined();
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

describe("version affinity while a deployment is split", () => {
  it("gives a new client an id, as a version key scoped to the tenant and a cookie on the answer", async () => {
    const host = await echoRoute(`split-${echo.tenantId}`, { split: true });
    const res = await harness().fetch(`http://${host}/`, {
      headers: { "Cloudflare-Workers-Version-Key": "chosen-by-the-client" },
    });
    const { headers } = await res.json<Echo>();
    const cookie = res.headers.get("set-cookie") ?? "";
    const id = /__wfp_vk=([^;]+)/.exec(cookie)?.[1];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // plain http here; https gets Secure
    expect(headers["cloudflare-workers-version-key"]).toBe(`${echo.tenantId}:${id}`);
  });

  it("keeps a returning client's key, sets no new cookie, and hides the platform's cookie from the tenant", async () => {
    const host = await echoRoute(`split2-${echo.tenantId}`, { split: true });
    const id = "11111111-2222-4333-8444-555555555555";
    const res = await harness().fetch(`http://${host}/`, {
      headers: { cookie: `theme=dark; ${AFFINITY_COOKIE}=${id}; lang=en` },
    });
    const { headers } = await res.json<Echo>();
    expect(headers["cloudflare-workers-version-key"]).toBe(`${echo.tenantId}:${id}`);
    expect(headers.cookie).toBe("theme=dark; lang=en");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("replaces an affinity cookie not in the dispatcher's shape", async () => {
    const host = await echoRoute(`split3-${echo.tenantId}`, { split: true });
    const res = await harness().fetch(`https://${host}/`, {
      headers: { cookie: `${AFFINITY_COOKIE}=x;evil` },
    });
    const { headers } = await res.json<Echo>();
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain("Secure");
    expect(headers["cloudflare-workers-version-key"]).toMatch(new RegExp(`^${echo.tenantId}:[0-9a-f-]{36}$`));
    expect(headers.cookie).toBe("evil"); // another cookie of the client's, kept
  });

  it("sends no version header and sets no cookie when the deployment has one version", async () => {
    const res = await harness().fetch(`http://${echo.host}/`, { headers: { cookie: `${AFFINITY_COOKIE}=abc` } });
    const { headers } = await res.json<Echo>();
    expect(headers["cloudflare-workers-version-key"]).toBeUndefined();
    expect(headers["cloudflare-workers-version-overrides"]).toBeUndefined();
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

describe("the affinity cookie", () => {
  it("is read only in the dispatcher's shape", () => {
    expect(affinityIdOf(null)).toBeNull();
    expect(affinityIdOf("a=1")).toBeNull();
    expect(affinityIdOf(`${AFFINITY_COOKIE}=short`)).toBeNull();
    expect(affinityIdOf(`${AFFINITY_COOKIE}=${"a".repeat(65)}`)).toBeNull();
    expect(affinityIdOf(`a=1; ${AFFINITY_COOKIE}=0123456789abcdef`)).toBe("0123456789abcdef");
  });

  it("is taken out of the Cookie header, whatever else it holds", () => {
    expect(withoutAffinityCookie(`${AFFINITY_COOKIE}=x`)).toBeNull();
    expect(withoutAffinityCookie(`a=1;${AFFINITY_COOKIE}=x;b=2`)).toBe("a=1; b=2");
    expect(withoutAffinityCookie("a=1")).toBe("a=1");
  });
});
