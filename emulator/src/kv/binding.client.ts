// Shipped into loaded tenant workers: turns the TenantKv stub into an object
// with the KV binding's API. The emulator side does the work (behind the
// stub, the real KV binding answers); this side forwards the arguments.

import type { Settled } from "../bindings/settled.ts";
import { unsettled } from "../dispatch/runtime/settled.client.ts";

/** The TenantKv entrypoint (binding.ts) as the loaded worker holds it. */
type TenantKvStub = Record<
  "get" | "getWithMetadata" | "put" | "delete" | "list",
  (...args: unknown[]) => Promise<Settled<unknown>>
>;

/**
 * The binding's methods. Arguments go on as given, however many (the runtime
 * tells a missing argument from an undefined one), except that keys become
 * strings here, as the runtime makes them: an object's own toString cannot
 * cross to the emulator.
 */
class KvNamespace {
  #stub: TenantKvStub;

  constructor(stub: TenantKvStub) {
    this.#stub = stub;
  }

  get(...args: unknown[]) {
    return unsettled(this.#stub.get(...keyed(args)));
  }

  getWithMetadata(...args: unknown[]) {
    return unsettled(this.#stub.getWithMetadata(...keyed(args)));
  }

  put(...args: unknown[]) {
    return unsettled(this.#stub.put(...keyed(args)));
  }

  delete(...args: unknown[]) {
    return unsettled(this.#stub.delete(...keyed(args)));
  }

  list(...args: unknown[]) {
    return unsettled(this.#stub.list(...args));
  }
}
Object.defineProperty(KvNamespace.prototype, Symbol.toStringTag, { value: "KvNamespace" });

/**
 * The arguments with the key (the first) as the runtime reads it: a string
 * (`undefined` too), or an array of strings for a bulk read. No arguments
 * stay none, for the runtime's own argument error.
 */
function keyed(args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  return [Array.isArray(key) ? key.map(String) : String(key), ...rest];
}

export function wrap(stub: TenantKvStub): KvNamespace {
  return new KvNamespace(stub);
}
