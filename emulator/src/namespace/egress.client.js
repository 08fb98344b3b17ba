// @ts-check
// Shipped into every loaded tenant worker, evaluated before the tenant's own
// modules. Each subrequest is tagged with the invocation it belongs to, so the
// emulator's egress can enforce the per-request subrequest limit; a tag the
// tenant sets itself is overwritten.
import { invocations } from "./__wfp_invocation.js";

const INVOCATION_HEADER = "x-wfp-invocation";
const send = globalThis.fetch;

/**
 * @param {RequestInfo | URL} input
 * @param {RequestInit} [init]
 */
globalThis.fetch = function fetch(input, init) {
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, invocations.getStore()?.id ?? "");
  return send(request);
};
