import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { AccountId } from "../../../cloudflare-api/names";
import type { Env } from "../env";
import type { Exports, RunScope } from "./bindings/kind";
import { recordDispatch } from "./dispatch-log";
import type { DispatchOptions, NamespaceProps } from "./dispatch-types";
import { openInvocation } from "./invocations";
import { buildWorkerCode } from "./worker-code";

/** What `get()` returns: a handle that looks the script up only when it is used, as production does. */
export class ScriptHandle extends RpcTarget {
  constructor(
    private readonly env: Env,
    private readonly exports: Exports,
    private readonly scope: RunScope,
    private readonly options: DispatchOptions,
    private readonly hasOutbound: boolean,
  ) {
    super();
  }

  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const { accountId, namespace, script } = this.scope;
    const store = this.env.WORKERS_STORE.get(this.env.WORKERS_STORE.idFromName(accountId));
    const runnable = await store.getRunnableScript(namespace, script);
    if (runnable === null) throw new Error("Worker not found");

    const outboundParams = this.hasOutbound ? (this.options.outbound ?? {}) : null;
    // The loader caches a worker by name: the etag makes a re-upload a new worker, and the outbound
    // parameters are part of the worker (its globalOutbound), so they are part of the name too.
    const name = `${accountId}/${namespace}/${script}@${runnable.etag}#${JSON.stringify(outboundParams)}`;
    const worker = this.env.LOADER.get(name, async () => {
      const egress = this.exports.TenantEgress?.({ props: { outboundParams } }) as Fetcher;
      return buildWorkerCode(this.env, this.exports, this.scope, runnable, egress);
    });

    recordDispatch({
      accountId,
      namespace,
      script,
      limits: this.options.limits ?? null,
      outbound: this.hasOutbound,
      at: new Date().toISOString(),
    });
    const invocation = openInvocation(this.options.limits?.subRequests ?? runnable.limits?.subrequests);
    try {
      return await worker.getEntrypoint(undefined, { props: { __wfp: { invocation: invocation.id } } }).fetch(request);
    } finally {
      invocation.close();
    }
  }
}

/**
 * A dispatch namespace, as the dispatcher's `DISPATCHER` binding sees it:
 * `get(name, args, options)` hands back a script handle at once and never
 * throws; a missing script fails when the handle's `fetch()` is called, with
 * production's "Worker not found".
 */
export class DispatchNamespace extends WorkerEntrypoint<Env, NamespaceProps> {
  get(name: string, _args?: Record<string, unknown>, options: DispatchOptions = {}): ScriptHandle {
    const { accountId, namespace, outbound } = this.ctx.props;
    const scope: RunScope = { accountId: accountId as AccountId, namespace, script: String(name) };
    return new ScriptHandle(this.env, this.ctx.exports as unknown as Exports, scope, options, outbound === true);
  }
}
