import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Stands in for the platform's outbound worker in the emulator's own tests: it
// answers every subrequest with what it received, parameters included.
const outboundWorker = {
  name: "wfp-outbound",
  modules: true,
  script: `export default {
    async fetch(request) {
      return Response.json({
        outbound: true,
        url: request.url,
        method: request.method,
        params: JSON.parse(request.headers.get("x-wfp-outbound-params") ?? "null"),
        invocationHeader: request.headers.get("x-wfp-invocation"),
      });
    },
  };`,
};

export default defineConfig({
  root: new URL("..", import.meta.url).pathname,
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./.d1-dev/wrangler.toml" },
      // Real bindings for the conformance suites: the tenant-facing KV, R2 and D1 must answer as these do.
      miniflare: {
        workers: [outboundWorker],
        kvNamespaces: ["REAL_KV"],
        r2Buckets: ["REAL_BUCKET"],
        d1Databases: ["REAL_DB"],
      },
    }),
  ],
  test: {
    name: "emulator",
    include: ["test/**/*.test.ts"],
  },
});
