// Shipped into every loaded tenant worker, evaluated before the tenant's own
// modules. The loaded worker has no network of its own (globalOutbound is
// null): `fetch` is replaced by a call to the emulator's egress stub, tagged
// with the invocation it belongs to so the per-request subrequest limit holds.
// The stub comes in through env rather than as globalOutbound because a
// globalOutbound pointing back into the emulator ties the tenant's isolate to
// the emulator's thread, and a tenant in a busy loop would stall every other.
import { invocations } from "./invocation.client.ts";

const INVOCATION_HEADER = "x-wfp-invocation";

let egress: Fetcher | undefined;

/** Called by the shim with the egress stub from the loaded worker's env, before any handler runs. */
export function setEgress(stub: Fetcher): void {
  egress ??= stub;
}

globalThis.fetch = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  request.headers.set(INVOCATION_HEADER, invocations.getStore()?.id ?? "");
  if (egress === undefined) return Promise.reject(new Error("Subrequests are not available outside a request"));
  return egress.fetch(request);
};
