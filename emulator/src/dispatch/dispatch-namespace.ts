import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { AccountId } from "../../../cloudflare-api/names";
import { routeToAssetsOrWorker } from "../assets/router";
import type { Exports, RunScope } from "../bindings/kind";
import type { Env } from "../env";
import type { RunOrder } from "../runner/protocol";
import { recordDispatch } from "./dispatch-log";
import { type DispatchOptions, LOCAL_DISPATCH_HEADER, type NamespaceProps } from "./dispatch-types";
import { runLoaded } from "./run-loaded";
import { planRun } from "./run-plan";
import { runInRunner } from "./runner-client";
import { versionChoiceOf } from "./version-headers";

/** Which script `get()` named, and how it is to be run. */
export interface ScriptRunnerProps {
  scope: RunScope;
  options: DispatchOptions;
  hasOutbound: boolean;
  /** The dispatch Worker has a tail consumer: the script's trace events go to the tail Worker. */
  hasTail: boolean;
}

/**
 * Answers one request to the script `get()` named; a missing script fails with production's "Worker not found".
 * A script with static assets may answer from them without running its Worker (assets/router.ts). The
 * Worker runs, with runner processes configured (RUNNER_URLS), in one of them, apart from the API and
 * the stores; without, here, in the emulator's own process.
 */
async function runScript(env: Env, exports: Exports, props: ScriptRunnerProps, request: Request): Promise<Response> {
  const { scope, options, hasOutbound, hasTail } = props;
  const { order, runnerUrls, local, assets, hasCode } = await planRun(env, exports, {
    scope,
    choice: versionChoiceOf(request.headers, scope.script),
    outboundParams: hasOutbound ? (options.outbound ?? {}) : null,
    tail: hasTail,
    limits: options.limits,
  });
  recordDispatch({
    accountId: scope.accountId,
    namespace: scope.namespace,
    script: scope.script,
    limits: options.limits ?? null,
    outbound: hasOutbound,
    at: new Date().toISOString(),
  });
  const runWorker = () => {
    if (runnerUrls.length === 0) return runLoaded(local, request);
    const runOrder: RunOrder = { ...order, url: request.url, acceptEncoding: request.headers.get("accept-encoding") };
    return runInRunner(runnerUrls, runOrder, request);
  };
  if (assets === undefined) return runWorker();
  return routeToAssetsOrWorker(env, assets, request, hasCode ? runWorker : null);
}

/**
 * What `get()` returns: a Fetcher that looks the script up only when it is
 * used, as production does. A Fetcher rather than an RPC object because its
 * `fetch()` then takes the HTTP path, across which a WebSocket upgrade (a 101
 * response with a `webSocket`) passes; JS RPC cannot serialize a WebSocket.
 */
export class ScriptRunner extends WorkerEntrypoint<Env, ScriptRunnerProps> {
  override fetch(request: Request): Promise<Response> {
    return runScript(this.env, this.ctx.exports as unknown as Exports, this.ctx.props, request);
  }
}

/**
 * What `get()` returns to a binding from another `wrangler dev` process: the
 * dev registry carries RPC objects but not service stubs (a Fetcher fails its
 * channel-token check in the other process). Everything but a WebSocket
 * upgrade passes through it.
 */
export class ScriptHandle extends RpcTarget {
  constructor(
    private readonly env: Env,
    private readonly exports: Exports,
    private readonly props: ScriptRunnerProps,
  ) {
    super();
  }

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const response = await runScript(this.env, this.exports, this.props, new Request(input, init));
    if (response.webSocket) {
      response.webSocket.accept();
      response.webSocket.close(1011, "WebSocket upgrades cannot cross wrangler dev processes");
      throw new Error("WebSocket upgrades cannot cross wrangler dev processes: the dev registry cannot carry one");
    }
    return response;
  }
}

/** The script and options of a local WebSocket upgrade (LOCAL_DISPATCH_HEADER), or null when it names none. */
function localDispatchOrder(raw: string | null): { script: string; options?: DispatchOptions } | null {
  try {
    const order = JSON.parse(raw ?? "null") as { script?: unknown; options?: DispatchOptions } | null;
    return typeof order?.script === "string" ? { script: order.script, options: order.options } : null;
  } catch {
    return null;
  }
}

/**
 * A dispatch namespace, as the dispatcher's `DISPATCHER` binding sees it:
 * `get(name, args, options)` hands back a script's Fetcher at once and never
 * throws; a missing script fails when its `fetch()` is called, with
 * production's "Worker not found".
 */
export class DispatchNamespace extends WorkerEntrypoint<Env, NamespaceProps> {
  /**
   * A WebSocket upgrade from the dispatcher in another `wrangler dev` process
   * (LOCAL_DISPATCH_HEADER names the script and options): run as `get()` then
   * `fetch()` would, with the request's own socket carried back.
   */
  override async fetch(request: Request): Promise<Response> {
    const order = localDispatchOrder(request.headers.get(LOCAL_DISPATCH_HEADER));
    if (order === null) return new Response("a dispatch namespace is reached through get()", { status: 400 });
    const forwarded = new Request(request);
    forwarded.headers.delete(LOCAL_DISPATCH_HEADER);
    const exports = this.ctx.exports as unknown as Exports;
    return runScript(this.env, exports, this.#runnerProps(order.script, order.options ?? {}), forwarded);
  }

  get(name: string, _args?: Record<string, unknown>, options: DispatchOptions = {}): Fetcher | ScriptHandle {
    const props = this.#runnerProps(String(name), options);
    const exports = this.ctx.exports as unknown as Exports;
    if (this.ctx.props.crossProcess === true) return new ScriptHandle(this.env, exports, props);
    return exports.ScriptRunner?.({ props }) as Fetcher;
  }

  /** The script `get()` (or a local upgrade) names, run with this binding's account, namespace, outbound and tail. */
  #runnerProps(script: string, options: DispatchOptions): ScriptRunnerProps {
    const { accountId, namespace, outbound, tail } = this.ctx.props;
    const scope: RunScope = { accountId: accountId as AccountId, namespace, script };
    return { scope, options, hasOutbound: outbound === true, hasTail: tail === true };
  }
}
