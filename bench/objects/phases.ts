import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import type { BenchStack } from "../namespace/stack.ts";
import { BenchRun, log, type Measured, type Row } from "../shared/bench-run.ts";
import { meterCpu } from "../shared/cpu.ts";
import { type Api, createNamespace, uploadModules } from "../shared/emulator-api.ts";
import { getText, pool, seededRandom, type Target } from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { int } from "../shared/markdown.ts";
import { COMMAND, type Report } from "./report.ts";
import {
  COUNT_QUERY,
  countAnswer,
  DIRECT_PREFIX,
  DIRECT_SCRIPT,
  FRONT_ANSWER,
  FRONT_PATH,
  NAMESPACE_PREFIX,
  objectAnswer,
} from "./routes.ts";
import { tenantModule, tenantUpload } from "./tenant-module.ts";

export type Options = { scripts: number; objects: number; requests: number; concurrency: number; maxSeconds: number };
/** The account and namespace the front Worker's DISPATCHER binding points at. */
export type Scope = { accountId: string; namespace: string };

/**
 * The measured runs are sent in this many interleaved rounds; memory is read
 * after each (does it keep growing with traffic alone?).
 */
const ROUNDS = 5;
/** The front Worker alone, a reference, sends this fraction (1/n) of the measured runs' requests. */
const REFERENCE_SHARE = 4;
/** The first objects of each path reached one at a time: the latency of a first request without queueing. */
const COLD_SAMPLE = 20;
const SEED = 0x0b1ec7;
/** The object the one-object runs send every request to (in the first script, through the namespace). */
const ONE = "one";
const NAMESPACE_WARM_UP = "Namespace, one object, warm-up";
const DIRECT_WARM_UP = "Direct, one object, warm-up";

const scriptName = (i: number) => `t${String(i).padStart(2, "0")}`;
const objectName = (i: number) => `o${String(i).padStart(4, "0")}`;

/** The phases' run, with the objects bench's targets: an object through the namespace or direct, the front. */
class Bench extends BenchRun<Options, BenchStack> {
  /** The i-th of the spread objects through the namespace: `objects / scripts` objects in each script (a whole number). */
  spreadNamespace(i: number): Target {
    const perScript = this.options.objects / this.options.scripts;
    return this.namespaceTarget(scriptName(Math.floor(i / perScript)), objectName(i % perScript));
  }

  namespaceTarget(script: string, object: string): Target {
    return { url: `${this.stack.url}${NAMESPACE_PREFIX}${script}/${object}`, expected: objectAnswer(script, object) };
  }

  directTarget(object: string): Target {
    return { url: `${this.stack.url}${DIRECT_PREFIX}${object}`, expected: objectAnswer(DIRECT_SCRIPT, object) };
  }

  get frontTarget(): Target {
    return { url: `${this.stack.url}${FRONT_PATH}`, expected: FRONT_ANSWER };
  }
}

async function uploadScripts(b: Bench, api: Api, namespace: string): Promise<Report["upload"]> {
  const { scripts } = b.options;
  log(`uploading ${scripts} tenant scripts, each with the Counter class`);
  const module = tenantModule();
  const started = performance.now();
  await createNamespace(api, namespace, b.signal);
  await pool(scripts, scripts, (i) =>
    uploadModules(api, namespace, scriptName(i), tenantUpload(module, scriptName(i)), b.signal),
  );
  b.signal.throwIfAborted();
  return { scripts, seconds: (performance.now() - started) / 1000 };
}

/**
 * Every object's first request, one path after the other: the first few one at
 * a time (the latency of a new object without queueing), the rest at the
 * bench's concurrency; memory read after each path.
 */
async function firstTouch(b: Bench): Promise<Report["touched"]> {
  const { objects, concurrency } = b.options;
  const cold = Math.min(COLD_SAMPLE, objects);
  const touch = async (name: string, target: (i: number) => Target) => {
    const before = b.rssNow();
    b.rssPeak();
    b.other.push(await b.run(`${name}, first request to an object, one at a time`, cold, 1, target));
    const rest = `${name}, first request to each of the other ${int(objects - cold)} objects`;
    b.other.push(await b.run(rest, objects - cold, concurrency, (i) => target(cold + i)));
    b.mark(`peak while the ${int(objects)} ${name.toLowerCase()} objects were first reached`, b.rssPeak());
    const after = b.rssNow();
    b.mark(`after the first request to each of the ${int(objects)} ${name.toLowerCase()} objects`, after);
    return { before, after };
  };
  return {
    namespace: await touch("Namespace", (i) => b.spreadNamespace(i)),
    direct: await touch("Direct", (i) => b.directTarget(objectName(i))),
  };
}

/** The one-object runs' objects, and the front, reached and warmed up before they are measured. */
async function warmUp(b: Bench): Promise<void> {
  const { requests, concurrency } = b.options;
  const warm = Math.min(requests, Math.max(concurrency * 10, Math.floor(requests / 20)));
  b.other.push(await b.run(NAMESPACE_WARM_UP, warm, concurrency, () => b.namespaceTarget(scriptName(0), ONE)));
  b.other.push(await b.run(DIRECT_WARM_UP, warm, concurrency, () => b.directTarget(ONE)));
  b.other.push(await b.run("Front Worker alone, warm-up", warm, concurrency, () => b.frontTarget));
}

/**
 * The measured runs, interleaved: ROUNDS rounds, each sending its share of
 * every run in turn, so that whatever else the machine does during the bench
 * falls on all of them alike. The spread runs go uniformly (seeded, the same
 * order for both paths) over objects every one of which has been reached once.
 */
async function measuredRuns(b: Bench): Promise<{ comparison: Report["comparison"]; traffic: Report["traffic"] }> {
  const { scripts, objects, requests } = b.options;
  const random = seededRandom(SEED);
  const order = Array.from({ length: requests }, () => Math.floor(random() * objects));
  const at = (i: number) => order[i] as number;
  const runs = {
    namespaceOne: {
      label: `Namespace, one object (${scriptName(0)}/${ONE})`,
      count: requests,
      target: () => b.namespaceTarget(scriptName(0), ONE),
    },
    directOne: {
      label: `Direct, one object (${ONE})`,
      count: requests,
      target: () => b.directTarget(ONE),
    },
    namespaceSpread: {
      label: `Namespace, uniform over ${int(objects)} objects of ${scripts} scripts`,
      count: requests,
      target: (i: number) => b.spreadNamespace(at(i)),
    },
    directSpread: {
      label: `Direct, uniform over ${int(objects)} objects`,
      count: requests,
      target: (i: number) => b.directTarget(objectName(at(i))),
    },
    front: {
      label: "Front Worker alone, no object",
      count: Math.ceil(requests / REFERENCE_SHARE),
      target: () => b.frontTarget,
    },
  } satisfies Record<keyof Report["comparison"], Measured>;

  const traffic = [{ round: 0, bytes: b.rssNow() }];
  const comparison = await b.interleave(runs, ROUNDS, (round) => traffic.push({ round: round, bytes: b.rssNow() }));
  b.mark("peak during the measured runs", b.rssPeak());
  b.mark("at the end (after the measured runs)");
  return { comparison, traffic };
}

/** Requests a run's object answered correctly (each counted once, then). */
const answered = (rows: (Row | undefined)[]) =>
  rows.reduce((n, r) => n + (r === undefined ? 0 : r.summary.requests - r.summary.failures), 0);

/**
 * What the one-object runs' objects have counted in their storage, against
 * the requests that reached them with the right answer (warm-ups and measured
 * runs): a request answered but not counted, or counted twice, shows here.
 */
async function countCheck(b: Bench, comparison: Report["comparison"]): Promise<Report["counts"]> {
  const warmUp = (label: string) => b.other.find((r) => r.label === label);
  const read = async (target: Target, script: string) => {
    const url = `${target.url}?${COUNT_QUERY}`;
    const { status, body } = await getText(url, { signal: b.signal });
    const counted = Number(body.slice(body.lastIndexOf(" ") + 1));
    const ok = status === 200 && body === countAnswer(script, ONE, counted);
    if (!ok) log(`  count check failed: ${url}: HTTP ${status} ${JSON.stringify(body.slice(0, 200))}`);
    return ok ? counted : Number.NaN;
  };
  return {
    namespace: {
      expected: answered([comparison.namespaceOne, warmUp(NAMESPACE_WARM_UP)]),
      counted: await read(b.namespaceTarget(scriptName(0), ONE), scriptName(0)),
    },
    direct: {
      expected: answered([comparison.directOne, warmUp(DIRECT_WARM_UP)]),
      counted: await read(b.directTarget(ONE), DIRECT_SCRIPT),
    },
  };
}

/** Runs every phase in order against a started stack. */
export async function measure(stack: BenchStack, options: Options, scope: Scope, signal: AbortSignal): Promise<Report> {
  const b = new Bench(stack, options, signal);
  const api: Api = { baseUrl: stack.url, token: emulatorApiToken(), accountId: scope.accountId };
  const cpu = meterCpu([stack.group.pid, ...stack.runnerGroups.map((g) => g.pid)]);
  try {
    b.mark("after start-up (nothing uploaded)");
    const upload = await uploadScripts(b, api, scope.namespace);
    b.mark(`after uploading ${options.scripts} scripts (no object reached)`);
    const touched = await firstTouch(b);
    await warmUp(b);
    const { comparison, traffic } = await measuredRuns(b);
    const counts = await countCheck(b, comparison);
    return {
      date: new Date().toISOString().slice(0, 10),
      machine: describeMachine(stack.workerdVersion),
      sources: stack.sources,
      command: [COMMAND, ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
      scripts: options.scripts,
      objects: options.objects,
      runners: stack.runnerPids.length,
      upload,
      comparison,
      other: b.other,
      memory: b.memory,
      touched,
      traffic,
      counts,
      cpu: cpu(),
    };
  } finally {
    b.rss.stop();
  }
}
