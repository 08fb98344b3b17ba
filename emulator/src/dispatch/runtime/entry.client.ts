// Shipped into every loaded tenant worker: the shim's default export (shim.ts)
// made from the tenant's, the same for every script. Each handler runs inside
// its invocation (invocation.client.ts) and sees the tenant's env.
import { abortIsolate, WorkerEntrypoint } from "cloudflare:workers";
import { invocations } from "./invocation.client.ts";
import type { TenantEnv } from "./tenant-env.client.ts";

/** The entrypoint through which the emulator ends the isolate (loaded-workers.ts); the shim exports it by name. */
export class Evict extends WorkerEntrypoint {
  evict(): void {
    abortIsolate("evicted by the emulator to bound memory");
  }
}

const HANDLERS = ["fetch", "scheduled", "queue", "tail", "email", "trace"];

/**
 * The handlers the tenant's default export has (a handler object's functions, a class's methods), as
 * the API lists a version's `handlers`; the startup check reads them (startup-check.ts).
 */
export function handlersOf(main: unknown): string[] {
  const source = typeof main === "function" ? (main as { prototype: unknown }).prototype : main;
  if (source === null || typeof source !== "object") return [];
  return HANDLERS.filter((handler) => typeof (source as Record<string, unknown>)[handler] === "function");
}

/** What the emulator passes in the props of each call into a loaded worker (dispatch-namespace.ts). */
type InvocationProps = { __wfp?: { invocation?: string } };

function within<T>(ctx: ExecutionContext | undefined, run: () => T): T {
  const id = (ctx?.props as InvocationProps | undefined)?.__wfp?.invocation;
  return invocations.run({ id, ctx: ctx as ExecutionContext }, run);
}

/** A tenant's WorkerEntrypoint class (or any class it exports as default), as far as the shim uses it. */
type TenantClass = new (ctx: ExecutionContext, env: unknown) => { ctx: ExecutionContext };
type Handler = (...args: unknown[]) => unknown;

/**
 * The tenant's default export with every handler run inside its invocation
 * and given the tenant's env: a WorkerEntrypoint class is extended, a handler
 * object copied; anything else is the tenant's to answer for, as it is.
 */
export function tenantEntry(main: unknown, tenantEnv: TenantEnv): unknown {
  if (typeof main === "function") {
    const Main = main as TenantClass;
    const prototype = Main.prototype as unknown as Record<string, unknown>;
    const entry = class extends Main {
      constructor(ctx: ExecutionContext, env: unknown) {
        super(ctx, tenantEnv(env));
      }
    };
    for (const handler of HANDLERS) {
      const method = prototype[handler];
      if (typeof method !== "function") continue;
      Object.defineProperty(entry.prototype, handler, {
        value: function (this: { ctx: ExecutionContext }, ...args: unknown[]) {
          return within(this.ctx, () => (prototype[handler] as Handler).apply(this, args));
        },
        writable: true,
        configurable: true,
      });
    }
    return entry;
  }
  if (main !== null && typeof main === "object") {
    const handlers = main as Record<string, Handler>;
    const entry: Record<string, Handler> = {};
    for (const handler of HANDLERS) {
      if (typeof handlers[handler] !== "function") continue;
      entry[handler] = (event, env, ctx) =>
        within(ctx as ExecutionContext, () => (handlers[handler] as Handler).call(main, event, tenantEnv(env), ctx));
    }
    return entry;
  }
  return main;
}
