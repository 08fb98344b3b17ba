import { WorkerEntrypoint } from "cloudflare:workers";
import { callableMethods, TENANT_BINDING_ENTRYPOINTS, type TenantBindingEntrypoint } from "../bindings/entrypoints";
import type { RunnerEnv } from "./env";

type Forwarding = new (...args: never[]) => WorkerEntrypoint<RunnerEnv, unknown>;

/**
 * An entrypoint with the same name and methods as one of the emulator's
 * binding entrypoints, whose every method is that method called in the
 * emulator (RunnerSupport.call) with this stub's props. A tenant's worker in a
 * runner gets these stubs where the emulator would hand it its own: its
 * bindings' clients cannot tell them apart, and the data stays in the stores.
 */
function forwarding(entrypoint: TenantBindingEntrypoint): Forwarding {
  class Forward extends WorkerEntrypoint<RunnerEnv, unknown> {}
  for (const method of callableMethods(entrypoint)) {
    Object.defineProperty(Forward.prototype, method, {
      value(this: Forward, ...args: unknown[]) {
        return this.env.EMULATOR.call(entrypoint, this.ctx.props, method, args);
      },
      writable: true,
      configurable: true,
    });
  }
  Object.defineProperty(Forward, "name", { value: entrypoint });
  return Forward;
}

/** One forwarding entrypoint per binding entrypoint, by the same export names. */
export const forwardingEntrypoints = Object.fromEntries(
  Object.keys(TENANT_BINDING_ENTRYPOINTS).map((name) => [name, forwarding(name as TenantBindingEntrypoint)]),
) as Record<TenantBindingEntrypoint, Forwarding>;
