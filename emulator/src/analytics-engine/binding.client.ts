// Shipped into loaded tenant workers: `writeDataPoint` is synchronous in the
// runtime and throws on a malformed point, so the client checks and returns at
// once, and the write goes on in the background of the invocation.
import { track } from "../dispatch/runtime/invocation.client.ts";
import { ANALYTICS_LIMITS } from "./limits.ts";

const {
  blobs: MAX_BLOBS,
  doubles: MAX_DOUBLES,
  indexBytes: MAX_INDEX_BYTES,
  blobBytes: MAX_BLOB_BYTES,
} = ANALYTICS_LIMITS;

function blobText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return new TextDecoder().decode(value);
  throw new TypeError("Blobs must be strings, ArrayBuffers or null");
}

/** The point as the tenant may pass it: anything is checked here, as the runtime checks it. */
interface DataPoint {
  indexes?: unknown[];
  blobs?: unknown[];
  doubles?: unknown[];
}

/** The TenantAnalytics entrypoint (binding.ts) as the loaded worker holds it. */
interface TenantAnalyticsStub {
  writeDataPoint(point: { indexes: string[]; blobs: (string | null)[]; doubles: number[] }): Promise<void>;
}

export function wrap(stub: TenantAnalyticsStub): AnalyticsEngineDataset {
  return {
    writeDataPoint(point: DataPoint = {}) {
      const indexes = (point.indexes ?? []).map(blobText);
      const blobs = (point.blobs ?? []).map(blobText);
      const doubles = (point.doubles ?? []).map(Number);
      if (indexes.length > 1) throw new Error("writeDataPoint(): Too many indexes supplied, at most 1 is allowed");
      if (blobs.length > MAX_BLOBS)
        throw new Error(`writeDataPoint(): Too many blobs supplied, at most ${MAX_BLOBS} are allowed`);
      if (doubles.length > MAX_DOUBLES) {
        throw new Error(`writeDataPoint(): Too many doubles supplied, at most ${MAX_DOUBLES} are allowed`);
      }
      const encoder = new TextEncoder();
      if (indexes.some((i) => encoder.encode(i ?? "").byteLength > MAX_INDEX_BYTES)) {
        throw new Error(`writeDataPoint(): Index exceeds the maximum size of ${MAX_INDEX_BYTES} bytes`);
      }
      const blobBytes = blobs.reduce((sum, b) => sum + encoder.encode(b ?? "").byteLength, 0);
      if (blobBytes > MAX_BLOB_BYTES) {
        throw new Error(`writeDataPoint(): Blobs exceed the maximum total size of ${MAX_BLOB_BYTES} bytes`);
      }
      if (doubles.some((d) => Number.isNaN(d))) throw new TypeError("Doubles must be numbers");
      track(stub.writeDataPoint({ indexes: indexes.map((i) => i ?? ""), blobs, doubles }));
    },
  };
}
