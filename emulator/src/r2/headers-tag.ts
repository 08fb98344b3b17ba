/**
 * Headers cannot cross RPC as they are, so the client (binding.client.ts)
 * sends them tagged, as their entries, and binding.ts rebuilds them before the
 * real binding reads them. Its own module: the client is built with it.
 */
export const HEADERS_TAG = "__wfp_headers";
