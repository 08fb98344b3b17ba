import { AsyncLocalStorage } from "node:async_hooks";

/** The emulator's TenantAnalytics entrypoint as the local METRICS binding is: its write is an RPC call. */
interface RemoteDataset {
  writeDataPoint(point: AnalyticsEngineDataPoint): Promise<void>;
}

/** The request each piece of the dispatcher's work belongs to, so that a write can outlive it. */
const requests = new AsyncLocalStorage<ExecutionContext>();

/**
 * Locally METRICS is the emulator's Analytics Engine store, reached over RPC
 * (wrangler.local.toml), where production's dataset is a runtime binding
 * whose synchronous `writeDataPoint` keeps the point by itself. An RPC call
 * nobody waits for is cancelled when its request ends, and the dispatcher
 * writes a point as its request ends: so each write is handed to the
 * `waitUntil` of the request it was made in, found through `requests`. The
 * dispatcher's code is the production one.
 */
export function localMetrics(binding: AnalyticsEngineDataset): AnalyticsEngineDataset {
  const remote = binding as unknown as RemoteDataset;
  return {
    writeDataPoint(point) {
      const written = Promise.resolve(remote.writeDataPoint(point ?? {})).catch((error: unknown) => {
        // As metering.ts does for a refused point: say so (one line: while npm run dev starts, the
        // emulator may not be up yet), never fail the request.
        console.warn(
          `metering: data point not stored in the emulator: ${error instanceof Error ? error.message : error}`,
        );
      });
      requests.getStore()?.waitUntil(written);
    },
  };
}

/** Runs one request's handling with its ExecutionContext as the one its writes wait in. */
export function inRequest<T>(ctx: ExecutionContext, handle: () => T): T {
  return requests.run(ctx, handle);
}
