// @ts-check
// Shipped into every loaded tenant worker, evaluated before the tenant's own
// modules. The loaded worker has no network of its own (globalOutbound is
// null): `fetch` is replaced by a call to the emulator's egress stub, tagged
// with the invocation it belongs to so the per-request subrequest limit holds.
// The stub comes in through env rather than as globalOutbound because a
// globalOutbound pointing back into the emulator ties the tenant's isolate to
// the emulator's thread, and a tenant in a busy loop would stall every other.
import { invocations } from "./__wfp_invocation.js";

const INVOCATION_HEADER = "x-wfp-invocation";

/** @type {Fetcher | undefined} */
let egress;

/** Called by the shim with the egress stub from the loaded worker's env, before any handler runs. @param {Fetcher} stub */
export function setEgress(stub) {
  egress ??= stub;
}

/**
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 */
globalThis.fetch = function fetch(input, init) {
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, invocations.getStore()?.id ?? "");
  if (egress === undefined) return Promise.reject(new Error("Subrequests are not available outside a request"));
  return egress.fetch(request);
};
