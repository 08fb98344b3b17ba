import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { r2BucketBinding } from "../../src/r2/binding";
import { tenantBucket } from "./direct-stub";
import { failure } from "./failure";
import { cases } from "./r2.cases.js";
import casesSource from "./r2.cases.js?raw";
import { runCases } from "./run-cases.js";
import { createR2Bucket, describeConformance, runInTenant, runThroughDispatch } from "./tenant-harness";

describeConformance("a tenant's R2 binding answers as miniflare's real one", cases, async () => {
  const { client } = r2BucketBinding;
  if (client === undefined) throw new Error("the R2 binding ships a client");
  const accountId = crypto.randomUUID().replaceAll("-", "");
  return {
    real: await runCases(cases, env.REAL_BUCKET),
    loaded: await runInTenant({
      casesSource,
      client,
      binding: exports.TenantR2Bucket({ props: { accountId, bucketName: "tenant-bucket" } }),
    }),
    dispatched: await runThroughDispatch({ casesSource, binding: "r2_bucket", resource: createR2Bucket }),
  };
});

describe("where a tenant's R2 binding differs: the key-length limit", () => {
  // Objects are stored as `${accountId}/${bucketName}/${key}` in a store that
  // allows 1024-byte keys, so a tenant's keys may have 1024 minus that prefix.
  const accountId = crypto.randomUUID().replaceAll("-", "");
  const bucketName = "tenant-bucket";
  const tenantLimit = 1024 - `${accountId}/${bucketName}/`.length;
  it("takes keys up to the tenant's limit and refuses longer ones with the real binding's error", async () => {
    const bucket = tenantBucket(accountId, bucketName);
    const fits = "k".repeat(tenantLimit);
    expect(((await bucket.put(fits, "fits")) as { key: string }).key).toBe(fits);
    const tooLong = "k".repeat(tenantLimit + 1);
    const realTooLong = "k".repeat(1025);
    const pairs: [() => Promise<unknown>, () => Promise<unknown>][] = [
      [() => bucket.put(tooLong, "v"), () => env.REAL_BUCKET.put(realTooLong, "v")],
      [() => bucket.get(tooLong), () => env.REAL_BUCKET.get(realTooLong)],
      [() => bucket.head(tooLong), () => env.REAL_BUCKET.head(realTooLong)],
      [() => bucket.delete(tooLong), () => env.REAL_BUCKET.delete(realTooLong)],
      [() => bucket.createMultipartUpload(tooLong), () => env.REAL_BUCKET.createMultipartUpload(realTooLong)],
    ];
    for (const [tenant, real] of pairs) {
      const realMessage = await failure(real);
      expect(realMessage).toMatch(/^Error: \w+: The specified object name is not valid\. \(10020\)$/);
      expect(await failure(tenant)).toBe(realMessage);
    }
  });
});
