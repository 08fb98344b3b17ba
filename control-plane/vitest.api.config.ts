import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { buildSync } from "esbuild";
import { defineConfig } from "vitest/config";
import { INTERNET } from "../outbound/test/internet.ts";
import { DISPATCHER, EMULATOR, emulatorApiToken, OUTBOUND } from "../scripts/lib/platform.ts";
import { buildTemplateBundle } from "../scripts/lib/template-bundle.ts";
import { auxiliaryEmulator, auxiliaryWorker, buildBeforeTests } from "../test/shared/auxiliary-workers.ts";

// The plugin bundles src as wrangler would but runs no custom build ([build] in wrangler.local.toml): the
// template's bundle, which the console imports, must be there before it does.
await buildTemplateBundle();

/**
 * The tail Worker's stand-in (test/tail-stand-in.ts): `wfp-tail` does not run here, so LOGS reaches
 * this instead, bundled (zod and the contract with it) as miniflare needs a Worker: JavaScript.
 */
function tailStandIn() {
  const [bundle] = buildSync({
    entryPoints: [fileURLToPath(new URL("./test/tail-stand-in.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:workers"],
    write: false,
  }).outputFiles;
  return {
    name: "wfp-tail",
    modules: true,
    script: bundle?.text ?? "",
    compatibilityDate: "2026-11-01",
    durableObjects: { STORE: "TailStore" },
  };
}

// The control plane as `npm run dev` runs it (wrangler.local.toml), with the
// rest of the platform next to it, each built from its own wrangler config by
// test/shared/build-workers.ts: the emulator is its Cloudflare API (CLOUDFLARE_API)
// and runs the tenants' scripts, the dispatcher serves them and holds the
// routing table (ROUTES), the outbound Worker carries their subrequests; the
// tail Worker's stand-in keeps tenants' logs (LOGS; TAIL for the tests).
export default defineConfig({
  plugins: [
    // A function: the built Workers are read once test/shared/build-workers.ts has built them.
    cloudflareTest(async () => {
      const emulator = auxiliaryEmulator();
      const dispatcher = auxiliaryWorker(DISPATCHER);
      const outbound = auxiliaryWorker(OUTBOUND);
      return {
        wrangler: { configPath: fileURLToPath(new URL("./wrangler.local.toml", import.meta.url)) },
        miniflare: {
          // Short waits, so the tests of retries and backoff run in seconds.
          bindings: {
            OPERATION_RETRY_BASE_MS: "50",
            OPERATION_RETRY_MAX_MS: "400",
            OPERATION_MAX_ATTEMPTS: "4",
            CLOUDFLARE_API_TIMEOUT_MS: "3000",
            // A staged rollout's canary is watched this long (test/tenants/rollout-canary-health.test.ts).
            ROLLOUT_OBSERVATION_MS: "1000",
            // Pending custom hostnames are read again within a moment, and given up after about half a minute (longer than a test takes to publish them).
            CUSTOM_HOSTNAME_CHECK_BASE_MS: "50",
            CUSTOM_HOSTNAME_CHECK_MAX_MS: "200",
            CUSTOM_HOSTNAME_CHECK_MAX_ATTEMPTS: "150",
            // The fault matrix sends more calls than production's budget (1,200 per 5 minutes) allows, and the
            // budget would hold them back for minutes; the budget is tested on its own (test/cloudflare/budget.test.ts).
            CLOUDFLARE_API_RATE_LIMIT: "1000000",
            EMULATOR_TOKEN: emulatorApiToken(),
            REGISTRY_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url))),
          },
          // An empty registry database of its own, for a test to migrate step by step (test/tenants/rollout-counts.test.ts).
          d1Databases: { REGISTRY_PROBE: "registry-probe" },
          serviceBindings: { EMULATOR: emulator.name, DISPATCHER_HTTP: dispatcher.name, TAIL: "wfp-tail" },
          workers: [emulator, dispatcher, { ...outbound, outboundService: INTERNET.name }, INTERNET, tailStandIn()],
        },
      };
    }),
  ],
  test: {
    name: "control-plane",
    include: ["test/tenants/**/*.test.ts", "test/console/**/*.test.ts"],
    setupFiles: ["./test/tenants/apply-migrations.ts"],
    ...buildBeforeTests([EMULATOR, DISPATCHER, OUTBOUND]),
    testTimeout: 60_000,
    // Faults and the rate limiter are global to the one emulator every file shares.
    fileParallelism: false,
  },
});
