/**
 * The tenant code both paths of the benchmark run: through the namespace it is
 * uploaded once per script; loaded directly it runs under the name "direct".
 * Each script answers its own name, so every response proves which script ran.
 */
export const TENANT_MAIN_MODULE = "index.js";
/** The name the directly loaded worker answers with, and its key in the loader. */
export const DIRECT_WORKER = "direct";

export function tenantSource(name: string): string {
  return `export default {
  async fetch() {
    return new Response(${JSON.stringify(name)}, { headers: { "content-type": "text/plain" } });
  },
};
`;
}
