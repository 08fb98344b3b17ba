/**
 * One tenant runner as `npm run dev` runs it (emulator/src/runner), watched by a supervisor in this
 * process (scripts/lib/runner-watch.ts) that ends it when a request holds it.
 *
 * Miniflare runs it, not `wrangler dev`: wrangler's dev server sits in front of a Worker as a proxy in
 * a process of its own, which sends a GET again when the Worker's process drops it (a runaway request
 * would run, and be ended, three times) and answers for the Worker while it restarts. Miniflare
 * serves the Worker from its own workerd process, so a request either reaches the runner or fails to
 * connect, and miniflare starts workerd again, on the same port, when the supervisor kills it. The
 * Worker is built and configured from its wrangler config as the tests' auxiliary Workers are
 * (scripts/lib/worker-build.ts), and finds the emulator and the outbound Worker in the dev registry.
 *
 *   node scripts/runner-dev.ts --config emulator/runner.wrangler.toml --ip <address> --port <port>
 *     --inspector-port <port> --persist-to <folder>
 */
import path from "node:path";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { failLauncher, launch, launcherArgs } from "./lib/launcher.ts";
import { watchRunner } from "./lib/runner-watch.ts";
import { build, builtWorker, miniflareOptions } from "./lib/worker-build.ts";

async function main(): Promise<void> {
  const args = launcherArgs();
  // Built into its own folder: several runners start at once from the same config. The only state a
  // runner keeps is the Durable Objects of the scripts it runs (their KV, R2 and D1 data is the
  // emulator's), in its own folder too: workerd processes sharing one persist folder fail with
  // SQLITE_BUSY on miniflare's shared databases. A script's objects are where its runner keeps them:
  // a different TENANT_RUNNERS places scripts elsewhere (emulator/README.md, "Tenant runners").
  const worker = { ...builtWorker(args.config), outDir: path.join(args.persistTo, "build") };
  await build(worker);
  const runner = await launch(
    "runner-dev",
    () =>
      // The options are in the shape wrangler hands miniflare (v4's), which miniflare converts itself.
      new Miniflare(
        convertV4MiniflareOptions({
          ...miniflareOptions(worker),
          host: args.ip,
          port: args.port,
          inspectorPort: args.inspectorPort,
          unsafeDevRegistryPath: args.registry,
          // Where wrangler dev keeps a Worker's state under --persist-to.
          resourcePersistencePath: path.join(args.persistTo, "v3"),
          // No request.cf data: miniflare would fetch it from the internet at start-up.
          cf: false,
          // Warnings and errors only: the supervisor asks the health path ten times a second.
          log: new Log(LogLevel.WARN),
        }),
      ),
  );
  const url = await runner.ready;
  watchRunner(url, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`Up at ${url.href}: runs tenants' code, and is replaced when a request holds it\n`);
}

main().catch(failLauncher("runner-dev"));
