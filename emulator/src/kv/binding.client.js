// @ts-check
// Shipped into loaded tenant workers: turns the TenantKv stub into an object
// with the KV binding's API. The emulator side does the work (behind the
// stub, the real KV binding answers); this side forwards the arguments.

import { unsettled } from "./__wfp_settled.js";

/**
 * @template T
 * @typedef {Promise<{ value: T } | { error: { name: string, message: string, domException: boolean } }>} Settled
 */
/**
 * @typedef {{
 *   get(...args: unknown[]): Settled<unknown>,
 *   getWithMetadata(...args: unknown[]): Settled<unknown>,
 *   put(...args: unknown[]): Settled<unknown>,
 *   delete(...args: unknown[]): Settled<unknown>,
 *   list(...args: unknown[]): Settled<unknown>,
 * }} TenantKvStub
 */

/**
 * The binding's methods. Arguments go on as given, however many (the runtime
 * tells a missing argument from an undefined one), except that keys become
 * strings here, as the runtime makes them: an object's own toString cannot
 * cross to the emulator.
 */
class KvNamespace {
  /** @type {TenantKvStub} */
  #stub;

  /** @param {TenantKvStub} stub */
  constructor(stub) {
    this.#stub = stub;
  }

  /** @param {unknown[]} args */
  get(...args) {
    return unsettled(this.#stub.get(...keyed(args)));
  }

  /** @param {unknown[]} args */
  getWithMetadata(...args) {
    return unsettled(this.#stub.getWithMetadata(...keyed(args)));
  }

  /** @param {unknown[]} args */
  put(...args) {
    return unsettled(this.#stub.put(...keyed(args)));
  }

  /** @param {unknown[]} args */
  delete(...args) {
    return unsettled(this.#stub.delete(...keyed(args)));
  }

  /** @param {unknown[]} args */
  list(...args) {
    return unsettled(this.#stub.list(...args));
  }
}
Object.defineProperty(KvNamespace.prototype, Symbol.toStringTag, { value: "KvNamespace" });

/**
 * The arguments with the key (the first) as the runtime reads it: a string
 * (`undefined` too), or an array of strings for a bulk read. No arguments
 * stay none, for the runtime's own argument error.
 * @param {unknown[]} args
 * @returns {unknown[]}
 */
function keyed(args) {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  return [Array.isArray(key) ? key.map(String) : String(key), ...rest];
}

/** @param {TenantKvStub} stub */
export function wrap(stub) {
  return new KvNamespace(stub);
}
