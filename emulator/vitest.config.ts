import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildClientModules } from "../scripts/lib/client-modules.ts";

// The plugin bundles src as wrangler would but runs no custom build ([build] in wrangler.toml): the client
// modules' text must be there before it reads them.
await buildClientModules();

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

// Stands in for the platform's tail Worker (tail/): its TraceIngest entrypoint keeps what it is given,
// and answers it back to the tests (`recorded()`).
const tailWorker = {
  name: "wfp-tail",
  modules: true,
  script: `import { WorkerEntrypoint } from "cloudflare:workers";
  const recorded = [];
  export class TraceIngest extends WorkerEntrypoint {
    record(events) { recorded.push(...events); }
    recorded() { return recorded; }
  }
  export default { fetch() { return new Response("tail stand-in"); } };`,
};

// Miniflare's own Durable Objects, for the Durable Object conformance suite: the cases module's class,
// run as an ordinary Durable Object of a worker of its own.
const objectsWorker = {
  name: "wfp-do-conformance",
  modules: true,
  scriptPath: "./test/conformance/durable-objects.cases.js",
  compatibilityDate: "2026-11-01",
  durableObjects: { OBJECTS: { className: "Probe", useSQLite: true } },
};

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      // Real bindings for the conformance suites: tenants' KV, R2, D1 and Durable Objects must answer as these do.
      miniflare: {
        workers: [outboundWorker, objectsWorker, tailWorker],
        kvNamespaces: ["REAL_KV"],
        durableObjects: { REAL_OBJECTS: { className: "Probe", scriptName: "wfp-do-conformance", useSQLite: true } },
        r2Buckets: ["REAL_BUCKET"],
        d1Databases: ["REAL_DB"],
        // A small bound on loaded tenant workers, evicted as soon as they are idle: every test that runs
        // tenant code then also runs it across evictions. A short D1 statement limit, so a statement
        // that never ends fails well within a test's time. A generous startup limit: it is wall-clock time, and
        // an upload's check on a loaded 2-core machine must not be refused for the machine's load
        // (scripts-startup.test.ts tests the limit with limits and clocks of its own).
        bindings: {
          MAX_LOADED_WORKERS: "4",
          LOADED_WORKER_MIN_IDLE_MS: "0",
          D1_QUERY_LIMIT_MS: "2000",
          STARTUP_LIMIT_MS: "30000",
        },
      },
    }),
  ],
  test: {
    name: "emulator",
    // Some tests write thousands of keys or load many workers; a 2-core machine under load needs the margin.
    testTimeout: 20_000,
    include: ["test/**/*.test.ts"],
  },
});
