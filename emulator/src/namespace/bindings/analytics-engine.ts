import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../../env";
import type { DataPoint } from "../../store/analytics-store";
import source from "./analytics-engine.client.js";
import type { BindingKind } from "./kind";

interface AnalyticsProps {
  accountId: string;
  script: string;
  dataset: string;
}

/** Records a tenant's data points for its dataset; the client validates them first, as the runtime does. */
export class TenantAnalytics extends WorkerEntrypoint<Env, AnalyticsProps> {
  async writeDataPoint(point: Pick<DataPoint, "indexes" | "blobs" | "doubles">): Promise<void> {
    const { accountId, script, dataset } = this.ctx.props;
    const store = this.env.ANALYTICS.get(this.env.ANALYTICS.idFromName(accountId));
    await store.record({ ...point, dataset, script, timestamp: Date.now() });
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
