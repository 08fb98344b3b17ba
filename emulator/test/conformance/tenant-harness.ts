import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import settledSource from "../../src/dispatch/runtime/settled.client.built.js";
import { RUNTIME_MODULES } from "../../src/dispatch/shim";
import { acct, call, json, resultOf } from "../helpers";
import { createNamespace, dispatch, uploadScript } from "../tenant";
import runCasesSource from "./run-cases.js?raw";

type Results = Record<string, unknown>;

/** The main module of a worker that runs the cases on its BINDING and answers with the results. */
const casesMain = (binding: string, reexport = "") => `${reexport}import { cases } from "./cases.js";
import { runCases } from "./run-cases.js";
export const run = (env) => runCases(cases, ${binding});
export default {
  async fetch(request, env) {
    return Response.json(await run(env));
  },
};`;

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
export async function runInTenant({ casesSource, client, binding }: TenantRun): Promise<Results> {
  const main = `import { wrap } from ${JSON.stringify(`./${client.module}`)};\n${casesMain("wrap(env.BINDING)")}`;
  const worker = env.LOADER.get(`conformance-${crypto.randomUUID()}`, () => ({
    compatibilityDate: COMPATIBILITY_DATE,
    mainModule: "main.js",
    modules: {
      "main.js": { js: main },
      "cases.js": { js: casesSource },
      "run-cases.js": { js: runCasesSource },
      [client.module]: { js: client.source },
      [RUNTIME_MODULES.settled]: { js: settledSource },
    },
    env: { BINDING: binding },
    globalOutbound: null,
  }));
  const res = await worker.getEntrypoint().fetch("http://tenant/");
  if (!res.ok) throw new Error(`the loaded worker failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Runs the cases in a script uploaded through the REST API and served through
 * the dispatch namespace, as a tenant's script is: the binding is declared in
 * the upload's metadata (its resource created first) and reaches the script
 * through the emulator's own wiring.
 */
export async function runThroughDispatch({
  casesSource,
  resource,
  binding,
  classes = [],
}: {
  casesSource: string;
  /** Creates the resource the binding names, through the REST API, and gives the binding's fields. */
  resource: () => Promise<Record<string, unknown>>;
  binding: string;
  /** Durable Object classes the cases module exports: the script exports them and a migration creates them. */
  classes?: string[];
}): Promise<Results> {
  const namespace = await createNamespace();
  const script = `conformance-${crypto.randomUUID().slice(0, 8)}`;
  const reexport = classes.length === 0 ? "" : `export { ${classes.join(", ")} } from "./cases.js";\n`;
  await uploadScript(namespace, script, {
    modules: {
      "index.js": casesMain("env.BINDING", reexport),
      "cases.js": casesSource,
      "run-cases.js": runCasesSource,
    },
    bindings: [{ type: binding, name: "BINDING", ...(await resource()) }],
    ...(classes.length === 0 ? {} : { migrations: { new_tag: "v1", new_sqlite_classes: classes } }),
  });
  const res = await dispatch(namespace, script, "http://tenant/");
  if (!res.ok) throw new Error(`the dispatched script failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A KV namespace created through the REST API, as its binding names it. */
export async function createKvNamespace(): Promise<{ namespace_id: string }> {
  const title = `conformance-${crypto.randomUUID()}`;
  const { id } = await resultOf<{ id: string }>(await call(acct("/storage/kv/namespaces"), json("POST", { title })));
  return { namespace_id: id };
}

/** An R2 bucket created through the REST API, as its binding names it. */
export async function createR2Bucket(): Promise<{ bucket_name: string }> {
  const name = `conformance-${crypto.randomUUID().slice(0, 8)}`;
  await resultOf(await call(acct("/r2/buckets"), json("POST", { name })));
  return { bucket_name: name };
}

/**
 * How long running every side's cases may take: each side runs the whole
 * suite (the dispatched one uploads a script and creates its resource first),
 * which on a loaded 2-core machine can take longer than vitest's default 10 s
 * hook timeout.
 */
const SIDES_TIMEOUT_MS = 120_000;

/**
 * One test per case: every tenant side's result must equal the real
 * binding's. All sides run once, one after the other, before the tests
 * compare them; `real` is the reference.
 */
export function describeConformance(
  title: string,
  cases: { name: string }[],
  runSides: () => Promise<{ real: Results } & Record<string, Results>>,
): void {
  describe(title, () => {
    let sides: { real: Results } & Record<string, Results>;
    beforeAll(async () => {
      sides = await runSides();
    }, SIDES_TIMEOUT_MS);
    it.each(cases.map((c) => c.name))("%s", (name) => {
      // A case catches the errors it expects; one that throws is a broken case, not a result.
      expect(sides.real[name]).not.toHaveProperty("caseThrew");
      for (const [side, results] of Object.entries(sides)) {
        expect(results[name], `${side} side`).toEqual(sides.real[name]);
      }
    });
  });
}
