// The bindings and entrypoints the KV and R2 tests reach: miniflare's real
// bindings (vitest.config.ts) and the emulator's tenant entrypoints (src/index.ts).
declare namespace Cloudflare {
  interface Env {
    REAL_KV: KVNamespace;
    REAL_BUCKET: R2Bucket;
  }
  interface Exports {
    TenantKv: (options: { props: { namespaceId: string } }) => Fetcher<import("../../src/kv/binding").TenantKv>;
    TenantR2Bucket: (options: {
      props: { accountId: string; bucketName: string };
    }) => Fetcher<import("../../src/r2/binding").TenantR2Bucket>;
  }
}
