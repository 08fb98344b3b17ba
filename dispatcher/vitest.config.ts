import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { INTERNET } from "../outbound/test/internet.ts";
import { EMULATOR, emulatorApiToken, OUTBOUND, TAIL } from "../scripts/lib/platform.ts";
import { auxiliaryEmulator, auxiliaryWorker, buildBeforeTests } from "../test/shared/auxiliary-workers.ts";

const configPath = fileURLToPath(new URL("./wrangler.local.toml", import.meta.url));

/**
 * The dispatcher's DISPATCHER binding as `npm run dev` declares it, but in
 * process: the emulator runs next to it here, so get() can hand back the
 * script's Fetcher, across which WebSocket upgrades pass.
 */
function inProcessDispatcher() {
  const binding = unstable_readConfig({ config: configPath }).services?.find(
    (s: { binding: string }) => s.binding === "DISPATCHER",
  );
  if (binding === undefined) throw new Error(`${configPath} has no DISPATCHER service binding`);
  const props = binding.props as { accountId: string; namespace: string };
  return { name: binding.service, entrypoint: binding.entrypoint, props: { ...props, crossProcess: false } };
}

const dispatcher = inProcessDispatcher();

const emulator = auxiliaryEmulator();
const outbound = auxiliaryWorker(OUTBOUND);
const tail = auxiliaryWorker(TAIL);

// The dispatcher under test, with the real emulator (its dispatch namespace
// runs the uploaded tenant scripts), the real tail Worker (which files their
// trace events) and the real outbound Worker next to it,
// each built from its own wrangler config before the tests run. The
// outbound Worker's "Internet" is a stand-in that echoes what reaches it.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath },
      miniflare: {
        serviceBindings: { DISPATCHER: dispatcher, EMULATOR: emulator.name },
        // For the tests alone: they upload tenant scripts through the emulator's REST API.
        bindings: {
          TENANTS_ACCOUNT: dispatcher.props.accountId,
          TENANTS_NAMESPACE: dispatcher.props.namespace,
          EMULATOR_TOKEN: emulatorApiToken(),
        },
        workers: [emulator, { ...outbound, outboundService: INTERNET.name }, INTERNET, tail],
      },
    }),
  ],
  test: {
    name: "dispatcher",
    include: ["test/**/*.test.ts"],
    ...buildBeforeTests([EMULATOR, OUTBOUND, TAIL]),
  },
});
