import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import runCasesSource from "./run-cases.js?raw";

interface TenantRun {
  /** The conformance cases module, as text. */
  casesSource: string;
  /** The binding's client module, shipped as the emulator ships it. */
  client: { module: string; source: string };
  /** What the loaded worker's env holds for the binding: the emulator's entrypoint stub. */
  binding: unknown;
}

/**
 * Runs conformance cases inside a worker loaded by the Worker Loader, as a
 * tenant's script runs: the binding reaches it as the stub the emulator hands
 * over, turned into the binding's API by the client's `wrap`.
 */
export async function runInTenant({ casesSource, client, binding }: TenantRun): Promise<Record<string, unknown>> {
  const main = `import { cases } from "./cases.js";
import { runCases } from "./run-cases.js";
import { wrap } from ${JSON.stringify(`./${client.module}`)};
export default {
  async fetch(request, env) {
    return Response.json(await runCases(cases, wrap(env.BINDING)));
  },
};`;
  const worker = env.LOADER.get(`conformance-${crypto.randomUUID()}`, () => ({
    compatibilityDate: "2026-11-01",
    mainModule: "main.js",
    modules: {
      "main.js": { js: main },
      "cases.js": { js: casesSource },
      "run-cases.js": { js: runCasesSource },
      [client.module]: { js: client.source },
    },
    env: { BINDING: binding },
    globalOutbound: null,
  }));
  const res = await worker.getEntrypoint().fetch("http://tenant/");
  if (!res.ok) throw new Error(`the loaded worker failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * One test per case: the tenant side's result must equal the real binding's.
 * Both sides run once, in order, before the tests compare them.
 */
export function describeConformance(
  title: string,
  cases: { name: string }[],
  runBoth: () => Promise<{ real: Record<string, unknown>; tenant: Record<string, unknown> }>,
): void {
  describe(title, () => {
    let sides: { real: Record<string, unknown>; tenant: Record<string, unknown> };
    beforeAll(async () => {
      sides = await runBoth();
    });
    it.each(cases.map((c) => c.name))("%s", (name) => {
      expect(sides.tenant[name]).toEqual(sides.real[name]);
    });
  });
}
