import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import type { BindingKind } from "../bindings/kind";
import type { Env } from "../env";
import source from "./binding.client.built.js";
import { ANALYTICS_LIMITS } from "./limits";

interface AnalyticsProps {
  accountId: string;
  script: string;
  dataset: string;
}

const bytes = (text: string | null) => new TextEncoder().encode(text ?? "").byteLength;

/**
 * A data point as the client sends it across RPC. It is checked again here,
 * where it is stored: a tenant can reach the stub without the client (it
 * controls every global the client relies on), so the client's checks only
 * give the runtime's synchronous throw. The messages are the client's.
 */
const IncomingDataPoint = z
  .object({
    indexes: z.array(z.string()),
    blobs: z.array(z.string().nullable()),
    doubles: z.array(z.number().refine((d) => !Number.isNaN(d), "Doubles must be numbers")),
  })
  .superRefine((point, ctx) => {
    const refuse = (message: string) => ctx.addIssue({ code: "custom", message });
    if (point.indexes.length > ANALYTICS_LIMITS.indexes) {
      refuse("writeDataPoint(): Too many indexes supplied, at most 1 is allowed");
    }
    if (point.blobs.length > ANALYTICS_LIMITS.blobs) {
      refuse(`writeDataPoint(): Too many blobs supplied, at most ${ANALYTICS_LIMITS.blobs} are allowed`);
    }
    if (point.doubles.length > ANALYTICS_LIMITS.doubles) {
      refuse(`writeDataPoint(): Too many doubles supplied, at most ${ANALYTICS_LIMITS.doubles} are allowed`);
    }
    if (point.indexes.some((index) => bytes(index) > ANALYTICS_LIMITS.indexBytes)) {
      refuse(`writeDataPoint(): Index exceeds the maximum size of ${ANALYTICS_LIMITS.indexBytes} bytes`);
    }
    if (point.blobs.reduce((sum, blob) => sum + bytes(blob), 0) > ANALYTICS_LIMITS.blobBytes) {
      refuse(`writeDataPoint(): Blobs exceed the maximum total size of ${ANALYTICS_LIMITS.blobBytes} bytes`);
    }
  });

/** Records a tenant's data points for its dataset, refusing any over production's limits. */
export class TenantAnalytics extends WorkerEntrypoint<Env, AnalyticsProps> {
  async writeDataPoint(point: unknown): Promise<void> {
    const parsed = IncomingDataPoint.safeParse(point);
    if (!parsed.success) throw new TypeError(parsed.error.issues[0]?.message ?? "writeDataPoint(): invalid data point");
    const { accountId, script, dataset } = this.ctx.props;
    const store = this.env.ANALYTICS.get(this.env.ANALYTICS.idFromName(accountId));
    await store.record({ ...parsed.data, dataset, script, timestamp: Date.now() });
  }
}

export const analyticsEngineBinding: BindingKind = {
  type: "analytics_engine",
  toEnv: (binding, exports, scope) =>
    exports.TenantAnalytics?.({
      props: { accountId: scope.accountId, script: scope.script, dataset: String(binding.dataset ?? "") },
    }),
  client: { module: "__wfp_analytics_engine.js", source },
};
