/**
 * The binding types the emulator can run in an uploaded script. The upload
 * path checks against this list without importing the binding kinds
 * themselves (that import makes the store's RPC types too deep for tsc);
 * namespace.test.ts checks it names exactly the kinds bindings/index.ts
 * registers.
 */
export const runnableBindingTypes: ReadonlySet<string> = new Set([
  "plain_text",
  "secret_text",
  "json",
  "kv_namespace",
  "r2_bucket",
  "d1",
  "analytics_engine",
  "durable_object_namespace",
  "assets",
]);
