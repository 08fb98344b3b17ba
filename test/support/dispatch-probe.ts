import { writeFile } from "node:fs/promises";
import path from "node:path";
import { inject } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { freePorts } from "../../scripts/lib/ports.ts";
import { startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.ts";

const HEALTH_PATH = "/__probe/health";
const STARTUP_TIMEOUT_MS = 90_000;

/** Sends every request to one script of a namespace, as the platform's dispatcher would for its tenant. */
const PROBE_SOURCE = `export default {
  fetch(request, env) {
    if (new URL(request.url).pathname === "${HEALTH_PATH}") return new Response("ok");
    const tenantRequest = new Request(request);
    tenantRequest.headers.set("x-platform-tenant", env.TENANT);
    return env.NAMESPACE.get(env.SCRIPT).fetch(tenantRequest);
  },
};
`;

export type DispatchTarget = { accountId: string; namespace: string; script: string; tenant: string };
export type DispatchProbe = { url: string; stop: () => Promise<void> };

/**
 * A Worker, in a `wrangler dev` of its own next to the e2e emulator (found
 * through the shared dev registry), whose every request runs `target.script`
 * through the emulator's dispatch namespace: a deployed script, reached the
 * way the dispatcher reaches it, without the platform's routing.
 */
export async function startDispatchProbe(workDir: string, target: DispatchTarget): Promise<DispatchProbe> {
  const configPath = path.join(workDir, "probe.wrangler.json");
  await writeFile(path.join(workDir, "probe.mjs"), PROBE_SOURCE);
  await writeFile(
    configPath,
    JSON.stringify({
      name: `probe-${target.script}`,
      main: "probe.mjs",
      compatibility_date: COMPATIBILITY_DATE,
      vars: { SCRIPT: target.script, TENANT: target.tenant },
      services: [
        {
          binding: "NAMESPACE",
          service: "wfp-emulator",
          entrypoint: "DispatchNamespace",
          // Another process: the emulator can hand back an RPC handle only (see emulator/README.md).
          props: { accountId: target.accountId, namespace: target.namespace, crossProcess: true },
        },
      ],
    }),
  );
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const output: string[] = [];
  const probe: WranglerDev = startWranglerDev({
    configPath,
    port,
    inspectorPort,
    persistTo: path.join(workDir, "probe-state"),
    healthPath: HEALTH_PATH,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    env: { WRANGLER_REGISTRY_PATH: inject("devRegistryPath") },
    onLine: (line) => output.push(line),
  });
  try {
    await probe.ready;
  } catch (error) {
    await probe.group.stop();
    throw new Error(`the dispatch probe did not start: ${(error as Error).message}\n${output.join("\n")}`);
  }
  return { url: probe.url, stop: () => probe.group.stop() };
}
