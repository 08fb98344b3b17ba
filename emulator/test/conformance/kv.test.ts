import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { kvNamespaceBinding } from "../../src/kv/binding";
import { tenantKv } from "./direct-stub";
import { failure } from "./failure";
import { cases } from "./kv.cases.js";
import casesSource from "./kv.cases.js?raw";
import { runCases } from "./run-cases.js";
import { createKvNamespace, describeConformance, runInTenant, runThroughDispatch } from "./tenant-harness";

describeConformance("a tenant's KV binding answers as miniflare's real one", cases, async () => {
  const { client } = kvNamespaceBinding;
  if (client === undefined) throw new Error("the KV binding ships a client");
  const namespaceId = crypto.randomUUID().replaceAll("-", "");
  return {
    real: await runCases(cases, env.REAL_KV),
    loaded: await runInTenant({ casesSource, client, binding: exports.TenantKv({ props: { namespaceId } }) }),
    dispatched: await runThroughDispatch({ casesSource, binding: "kv_namespace", resource: createKvNamespace }),
  };
});

describe("where a tenant's KV binding differs: the key-length limit", () => {
  // Keys are stored as `${namespaceId}:${key}` in a store that allows 512
  // bytes, so a tenant's keys may have 512 minus the 33 bytes of the prefix.
  const TENANT_LIMIT = 512 - 33;
  it("takes keys up to the tenant's limit, in bytes", async () => {
    const kv = tenantKv(crypto.randomUUID().replaceAll("-", ""));
    const key = `${"é".repeat((TENANT_LIMIT - 1) / 2)}k`; // 479 bytes in 240 characters
    expect(new TextEncoder().encode(key).byteLength).toBe(TENANT_LIMIT);
    await kv.put(key, "fits");
    expect(await kv.get(key)).toBe("fits");
    expect(((await kv.list({})) as { keys: { name: string }[] }).keys.map((k) => k.name)).toEqual([key]);
  });

  it("refuses a longer key with the real binding's error, in the tenant's numbers", async () => {
    const kv = tenantKv(crypto.randomUUID().replaceAll("-", ""));
    const tooLong = "k".repeat(TENANT_LIMIT + 1);
    const realTooLong = "k".repeat(513);
    const inTenantNumbers = (message: string) =>
      message
        .replace("length of 513", `length of ${TENANT_LIMIT + 1}`)
        .replace("limit of 512", `limit of ${TENANT_LIMIT}`);
    const pairs: [() => Promise<unknown>, () => Promise<unknown>][] = [
      [() => kv.get(tooLong), () => env.REAL_KV.get(realTooLong)],
      [() => kv.getWithMetadata(tooLong), () => env.REAL_KV.getWithMetadata(realTooLong)],
      [() => kv.put(tooLong, "v"), () => env.REAL_KV.put(realTooLong, "v")],
      [() => kv.delete(tooLong), () => env.REAL_KV.delete(realTooLong)],
      [() => kv.get(["a", tooLong]), () => env.REAL_KV.get(["a", realTooLong])],
      [() => kv.list({ prefix: tooLong }), () => env.REAL_KV.list({ prefix: realTooLong })],
    ];
    for (const [tenant, real] of pairs) {
      const realMessage = await failure(real);
      expect(realMessage).toMatch(
        /^Error: KV \w+ failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512\.$/,
      );
      expect(await failure(tenant)).toBe(inTenantNumbers(realMessage));
    }
  });
});
