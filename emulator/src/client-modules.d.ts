// Each `*.client.ts` is built into the `*.client.built.js` beside it (scripts/lib/client-modules.ts), which is
// imported as text (wrangler.toml [[rules]]): it is shipped into loaded tenant workers.
declare module "*.client.built.js" {
  const source: string;
  export default source;
}

// What the loaded worker's runtime gives the client modules that @cloudflare/workers-types does not declare.
declare namespace CloudflareWorkersModule {
  /** Ends the isolate the calling code runs in; requests in flight fail. */
  export function abortIsolate(reason: string): void;
}

declare module "node:async_hooks" {
  /** The part of AsyncLocalStorage the `nodejs_als` compatibility flag gives and the client modules use. */
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
