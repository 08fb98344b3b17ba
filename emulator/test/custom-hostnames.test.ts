import { beforeEach, describe, expect, it } from "vitest";
import type { CustomHostname } from "../../cloudflare-api/custom-hostnames";
import { ErrorCode } from "../../cloudflare-api/error-codes";
import { DEFAULT_VALIDATION_TIMEOUT_MS } from "../src/custom-hostnames/store";
import { PLATFORM_ZONE_ID } from "../src/custom-hostnames/zone";
import { ACCOUNT, call, errorOf, json, resultOf, v4 } from "./helpers";

const hostnames = (path = "") => v4(`/zones/${PLATFORM_ZONE_ID}/custom_hostnames${path}`);
const create = (hostname: string, method: "http" | "txt" = "txt") =>
  call(hostnames(), json("POST", { hostname, ssl: { method, type: "dv" }, custom_metadata: { tenant: "t1" } }));
const read = async (id: string) => resultOf<CustomHostname>(await call(hostnames(`/${id}`)));

async function publishTxt(name: string, value: string) {
  await resultOf(await call(`/__emulator/dns/${name}`, json("PUT", { txt: [value] })));
}
async function setTimeoutMs(ms: number) {
  await resultOf(await call("/__emulator/custom-hostnames/validation-timeout", json("PUT", { ms })));
}

// One zone for the whole emulator: each test starts from no hostnames and production's timeout.
beforeEach(async () => {
  for (const h of await resultOf<CustomHostname[]>(await call(hostnames("?per_page=50")))) {
    await resultOf(await call(hostnames(`/${h.id}`), { method: "DELETE" }));
  }
  await setTimeoutMs(DEFAULT_VALIDATION_TIMEOUT_MS);
});

describe("zones", () => {
  it("lists the platform's zone and answers it by id; any other zone id is not found", async () => {
    const listed = await resultOf<{ id: string; name: string; account: { id: string } }[]>(
      await call(v4(`/zones?account.id=${ACCOUNT}`)),
    );
    expect(listed).toEqual([
      expect.objectContaining({
        id: PLATFORM_ZONE_ID,
        name: "localhost",
        account: expect.objectContaining({ id: ACCOUNT }),
      }),
    ]);
    expect(await resultOf(await call(v4(`/zones/${PLATFORM_ZONE_ID}`)))).toMatchObject({ id: PLATFORM_ZONE_ID });
    expect(await resultOf(await call(v4("/zones?name=other.example")))).toEqual([]);
    const other = "f".repeat(32);
    expect((await errorOf(await call(v4(`/zones/${other}/custom_hostnames`)), 404)).code).toBe(
      ErrorCode.invalidObjectIdentifier,
    );
  });

  it("needs the token", async () => {
    expect((await call(hostnames(), { token: null })).status).toBe(400);
    expect((await call(hostnames(), { token: "wrong" })).status).toBe(403);
    expect((await call("/__emulator/dns/x.example", { ...json("PUT", { txt: ["v"] }), token: null })).status).toBe(400);
  });
});

describe("custom hostnames", () => {
  it("shows the records to publish, and becomes active once they are", async () => {
    const created = await resultOf<CustomHostname>(await create("Shop.Example.com"), 201);
    expect(created).toMatchObject({
      hostname: "shop.example.com",
      status: "pending",
      custom_metadata: { tenant: "t1" },
      ownership_verification: { type: "txt", name: "_cf-custom-hostname.shop.example.com" },
      ssl: { status: "pending_validation", method: "txt", type: "dv" },
    });
    const dcv = created.ssl?.validation_records?.[0];
    expect(dcv?.txt_name).toBe("_acme-challenge.shop.example.com");

    // Only ownership published: the hostname is active, its certificate still waits.
    await publishTxt(created.ownership_verification?.name ?? "", created.ownership_verification?.value ?? "");
    expect(await read(created.id)).toMatchObject({ status: "active", ssl: { status: "pending_validation" } });

    await publishTxt(dcv?.txt_name ?? "", dcv?.txt_value ?? "");
    const live = await read(created.id);
    expect(live).toMatchObject({
      status: "active",
      verification_errors: [],
      ssl: { status: "active", validation_records: [] },
    });
  });

  it("validates ownership and the certificate over HTTP too", async () => {
    const created = await resultOf<CustomHostname>(await create("web.example.net", "http"), 201);
    const dcv = created.ssl?.validation_records?.[0];
    expect(dcv?.http_url).toMatch(/^http:\/\/web\.example\.net\/\.well-known\/acme-challenge\//);
    // A wrong body is not the token.
    await resultOf(
      await call(`/__emulator/http?url=${encodeURIComponent(dcv?.http_url ?? "")}`, json("PUT", { body: "nope" })),
    );
    expect((await read(created.id)).ssl?.status).toBe("pending_validation");
    for (const record of [created.ownership_verification_http, dcv]) {
      await resultOf(
        await call(
          `/__emulator/http?url=${encodeURIComponent(record?.http_url ?? "")}`,
          json("PUT", { body: record?.http_body }),
        ),
      );
    }
    expect(await read(created.id)).toMatchObject({ status: "active", ssl: { status: "active" } });
  });

  it("stays pending while nothing is published, then times out and says why", async () => {
    const created = await resultOf<CustomHostname>(await create("never.example.com"), 201);
    expect(await read(created.id)).toMatchObject({ status: "pending", ssl: { status: "pending_validation" } });
    await setTimeoutMs(0);
    const timedOut = await read(created.id);
    expect(timedOut.status).toBe("pending");
    expect(timedOut.verification_errors?.[0]).toMatch(/timed out/);
    expect(timedOut.ssl?.status).toBe("validation_timed_out");
    expect(timedOut.ssl?.validation_errors?.[0]?.message).toMatch(/timed out/);
    // Records published too late change nothing: production stops checking.
    await publishTxt(created.ownership_verification?.name ?? "", created.ownership_verification?.value ?? "");
    expect((await read(created.id)).status).toBe("pending");
  });

  it.each([
    ["the same ssl again", { ssl: { method: "txt", type: "dv" } }],
    ["an empty edit", {}],
  ])("after a timeout, %s tries validation again with the same records", async (_, edit) => {
    const created = await resultOf<CustomHostname>(await create("retry.example.com"), 201);
    await setTimeoutMs(0);
    expect((await read(created.id)).ssl?.status).toBe("validation_timed_out");
    await setTimeoutMs(DEFAULT_VALIDATION_TIMEOUT_MS);
    const retried = await resultOf<CustomHostname>(await call(hostnames(`/${created.id}`), json("PATCH", edit)), 202);
    expect(retried).toMatchObject({
      status: "pending",
      verification_errors: [],
      ssl: { status: "pending_validation" },
    });
    expect(retried.ssl?.validation_errors).toEqual([]);
    expect(retried.ownership_verification).toEqual(created.ownership_verification);
    expect(retried.ssl?.validation_records).toEqual(created.ssl?.validation_records);
    const dcv = created.ssl?.validation_records?.[0];
    await publishTxt(created.ownership_verification?.name ?? "", created.ownership_verification?.value ?? "");
    await publishTxt(dcv?.txt_name ?? "", dcv?.txt_value ?? "");
    expect(await read(created.id)).toMatchObject({ status: "active", ssl: { status: "active" } });
  });

  it("refuses the same hostname twice on the zone with the API's conflict", async () => {
    await resultOf(await create("dup.example.com"), 201);
    const error = await errorOf(await create("DUP.example.com"), 409);
    expect(error).toMatchObject({ code: ErrorCode.customHostnameExists, message: "Duplicate custom hostname found." });
  });

  it.each([
    ["an IPv4 address", "192.0.2.1", ErrorCode.customHostnameInvalid],
    ["an IPv6 address", "2001:db8::1", ErrorCode.customHostnameInvalid],
    ["a single label", "shop", ErrorCode.customHostnameInvalid],
    ["a bad label", "-bad.example.com", ErrorCode.customHostnameInvalid],
    ["special characters", "sh!p.example.com", ErrorCode.customHostnameInvalid],
    ["a name over 255 characters", `${`${"a".repeat(60)}.`.repeat(5)}com`, ErrorCode.customHostnameInvalid],
    ["a wildcard", "*.example.com", ErrorCode.customHostnameWildcard],
    ["non-ASCII", "shöp.example.com", ErrorCode.customHostnameNonAscii],
    ["a reserved top-level domain", "shop.test", ErrorCode.customHostnameReservedTld],
    ["a name in the platform's zone", "tenant.localhost", ErrorCode.customHostnameReservedTld],
  ])("refuses %s", async (_what, hostname, code) => {
    expect((await errorOf(await create(hostname), 400)).code).toBe(code);
    expect(await resultOf(await call(hostnames()))).toEqual([]);
  });

  it.each([
    ["no ssl", { hostname: "a.example.com" }, ErrorCode.sslAttributeInvalid],
    ["ssl not an object", { hostname: "a.example.com", ssl: "txt" }, ErrorCode.sslAttributeInvalid],
    ["no type", { hostname: "a.example.com", ssl: { method: "txt" } }, ErrorCode.dcvMethodAndTypeRequired],
    [
      "an unknown method",
      { hostname: "a.example.com", ssl: { method: "dns", type: "dv" } },
      ErrorCode.dcvMethodUnsupported,
    ],
    [
      "a type other than dv",
      { hostname: "a.example.com", ssl: { method: "txt", type: "ov" } },
      ErrorCode.dcvTypeUnsupported,
    ],
    ["no hostname", { ssl: { method: "txt", type: "dv" } }, ErrorCode.customHostnameInvalid],
    [
      "metadata that is not strings",
      { hostname: "a.example.com", ssl: { method: "txt", type: "dv" }, custom_metadata: { a: 1 } },
      ErrorCode.customHostnameBadJson,
    ],
    ["a body that is not an object", [], ErrorCode.customHostnameBadJson],
  ])("refuses a body with %s", async (_what, body, code) => {
    expect((await errorOf(await call(hostnames(), json("POST", body)), 400)).code).toBe(code);
  });

  it("refuses a body that is not JSON", async () => {
    const res = await call(hostnames(), { method: "POST", body: "{", headers: { "content-type": "application/json" } });
    expect((await errorOf(res, 400)).code).toBe(ErrorCode.customHostnameBadJson);
  });

  it("lists by exact hostname, edits, and deletes", async () => {
    const a = await resultOf<CustomHostname>(await create("a.example.com"), 201);
    await resultOf(await create("b.example.com"), 201);
    expect(
      (await resultOf<CustomHostname[]>(await call(hostnames("?hostname=a.example.com")))).map((h) => h.id),
    ).toEqual([a.id]);
    expect(await resultOf(await call(hostnames("?hostname=c.example.com")))).toEqual([]);
    const ids = async (query: string) =>
      (await resultOf<CustomHostname[]>(await call(hostnames(query)))).map((h) => h.hostname);
    // The SDK's filters, as it sends them (dotted keys).
    expect(await ids("?hostname.exact=A.example.com")).toEqual(["a.example.com"]);
    expect(await ids("?hostname.exact=example.com")).toEqual([]);
    expect(await ids("?hostname.contain=.example.")).toEqual(["a.example.com", "b.example.com"]);
    expect(await ids("?hostname.startsWith=b.")).toEqual(["b.example.com"]);
    expect(await ids("?hostname.startsWith=example")).toEqual([]);
    expect(await ids(`?id=${a.id}`)).toEqual(["a.example.com"]);
    expect((await errorOf(await call(hostnames("?hostname.exact=a.example.com&hostname.contain=a")), 400)).code).toBe(
      ErrorCode.customHostnameBadJson,
    );
    const pageTwo = await (await call(hostnames("?per_page=5&page=2"))).json<{
      result: unknown[];
      result_info: unknown;
    }>();
    expect(pageTwo).toMatchObject({ result: [], result_info: { page: 2, per_page: 5, count: 0, total_count: 2 } });
    expect((await errorOf(await call(hostnames("?per_page=500")), 400)).code).toBe(ErrorCode.customHostnameBadJson);

    const edited = await resultOf<CustomHostname>(
      await call(
        hostnames(`/${a.id}`),
        json("PATCH", { ssl: { method: "http", type: "dv" }, custom_metadata: { tenant: "t2" } }),
      ),
      202,
    );
    expect(edited).toMatchObject({ custom_metadata: { tenant: "t2" }, ssl: { method: "http" } });
    expect(edited.ssl?.validation_records?.[0]?.http_url).toBeDefined();

    expect(await resultOf(await call(hostnames(`/${a.id}`), { method: "DELETE" }))).toEqual({ id: a.id });
    expect((await errorOf(await call(hostnames(`/${a.id}`)), 404)).code).toBe(ErrorCode.customHostnameNotFound);
    expect((await errorOf(await call(hostnames(`/${a.id}`), { method: "DELETE" }), 404)).code).toBe(
      ErrorCode.customHostnameNotFound,
    );
    expect(await resultOf(await call(hostnames("?hostname=a.example.com")))).toEqual([]);
  });
});

describe("fallback origin", () => {
  it("is set, read and removed", async () => {
    await call(hostnames("/fallback_origin"), { method: "DELETE" });
    expect((await errorOf(await call(hostnames("/fallback_origin")), 404)).code).toBe(ErrorCode.customHostnameNotFound);
    const set = await resultOf(
      await call(hostnames("/fallback_origin"), json("PUT", { origin: "Fallback.localhost" })),
    );
    expect(set).toMatchObject({ origin: "fallback.localhost", status: "active" });
    expect(await resultOf(await call(hostnames("/fallback_origin")))).toMatchObject({ origin: "fallback.localhost" });
    expect(await resultOf(await call(hostnames("/fallback_origin"), { method: "DELETE" }))).toMatchObject({
      status: "pending_deletion",
    });
    expect((await errorOf(await call(hostnames("/fallback_origin"), json("PUT", {})), 400)).code).toBe(
      ErrorCode.customHostnameBadJson,
    );
  });
});

describe("faults on custom hostnames", () => {
  const faultOn = async (action: unknown) =>
    resultOf(
      await call(
        "/__emulator/faults",
        json("POST", { method: "POST", path: "/zones/*/custom_hostnames", times: 1, action }),
      ),
    );

  it("a failed create leaves nothing; a lost one leaves the hostname, found again by ?hostname=", async () => {
    await faultOn({ kind: "fail", status: 500, code: 1500 });
    expect((await errorOf(await create("faulty.example.com"), 500)).code).toBe(1500);
    expect(await resultOf(await call(hostnames("?hostname=faulty.example.com")))).toEqual([]);

    await faultOn({ kind: "lose", status: 504 });
    expect((await create("faulty.example.com")).status).toBe(504);
    const found = await resultOf<CustomHostname[]>(await call(hostnames("?hostname=faulty.example.com")));
    expect(found.map((h) => h.hostname)).toEqual(["faulty.example.com"]);
    await resultOf(await call("/__emulator/faults", { method: "DELETE" }));
  });
});
