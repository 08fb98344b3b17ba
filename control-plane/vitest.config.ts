import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { EMULATOR, emulatorApiToken, TAIL } from "../scripts/lib/platform.ts";
import { auxiliaryEmulator, auxiliaryWorker, buildBeforeTests } from "../test/shared/auxiliary-workers.ts";

const emulator = auxiliaryEmulator();

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
// Cloudflare API, built from its wrangler config before the tests run and
// reached through a service binding (CLOUDFLARE_API), as wrangler.local.toml
// has it.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL("./test/cloudflare/wrangler.toml", import.meta.url)) },
      miniflare: {
        serviceBindings: { CLOUDFLARE_API: emulator.name, GATED_API: gatedEmulator.name },
        bindings: { CLOUDFLARE_API_TOKEN: emulatorApiToken() },
        // The emulator's TAIL binding needs the tail Worker (tail/); it files what the emulator hands it.
        workers: [emulator, gatedEmulator, noOutbound, auxiliaryWorker(TAIL)],
      },
    }),
  ],
  test: {
    name: "control-plane-client",
    include: ["test/cloudflare/**/*.test.ts"],
    ...buildBeforeTests([EMULATOR, TAIL]),
    testTimeout: 20_000,
  },
});
