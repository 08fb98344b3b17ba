import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { EMULATOR } from "../scripts/lib/platform.ts";
import { builtWorker, miniflareOptions } from "../scripts/lib/worker-build.ts";

const built = miniflareOptions(builtWorker(EMULATOR.configPath));
// A generous startup limit (wall-clock time, emulator/README.md): an upload on a loaded machine is not refused for it.
const emulator: typeof built = { ...built, bindings: { ...built.bindings, STARTUP_LIMIT_MS: "30000" } };
const emulatorToken = String(emulator.bindings?.EMULATOR_API_TOKEN ?? "").split(",")[0] ?? "";

/**
 * A second emulator for the tests that install faults or turn its rate
 * limiter on: both are global to an emulator, so they get one of their own
 * (its own Durable Objects) and cannot disturb the tests running beside them.
 */
const gatedEmulator = { ...emulator, name: "wfp-emulator-gated" };

/** The emulator's OUTBOUND binding needs a Worker of that name; nothing here runs tenant code that calls out. */
const noOutbound = {
  name: "wfp-outbound",
  modules: true,
  script: `export default { fetch() { return new Response("no outbound Worker in the control plane's tests", { status: 502 }); } };`,
};

// The control plane's tests, with the real emulator next to them as its
// Cloudflare API, built from its wrangler config by test/global-setup.ts and
// reached through a service binding (CLOUDFLARE_API), as wrangler.local.toml
// has it.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL("./test/cloudflare/wrangler.toml", import.meta.url)) },
      miniflare: {
        serviceBindings: { CLOUDFLARE_API: emulator.name, GATED_API: gatedEmulator.name },
        bindings: { CLOUDFLARE_API_TOKEN: emulatorToken },
        workers: [emulator, gatedEmulator, noOutbound],
      },
    }),
  ],
  test: {
    name: "control-plane-client",
    include: ["test/cloudflare/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 20_000,
  },
});
