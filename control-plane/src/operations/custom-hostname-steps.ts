import type { CustomHostname } from "../../../cloudflare-api/custom-hostnames";
import { isLive } from "../../../platform/custom-hostname-view";
import { isMadeFor, TENANT_METADATA_KEY, takenOnZone } from "../custom-hostnames/ownership";
import { customHostnameView, isCustomHostname } from "../custom-hostnames/view";
import {
  type CustomHostnameRow,
  customHostnameRows,
  forgetCustomHostname,
  recordCustomHostname,
} from "../registry/custom-hostnames";
import type { Step, StepContext } from "./context";
import { StepRefusal } from "./failures";

const zoneOf = (context: StepContext) => context.api.customHostnames(context.config.zoneId);
const customRows = async (context: StepContext) =>
  (await customHostnameRows(context.env.DB, context.tenant.id)).filter((row) =>
    isCustomHostname(row.hostname, context.config.platformDomain),
  );

/** Records the API's answer on the claim; the first time it is seen live, when. */
export function recordAnswer(
  context: Pick<StepContext, "env" | "tenant">,
  answer: CustomHostname,
  row: CustomHostnameRow,
) {
  const checkedAt = new Date().toISOString();
  const view = customHostnameView(row.hostname, answer, { checkedAt, liveAt: row.live_at, failure: null });
  return recordCustomHostname(context.env.DB, context.tenant.id, answer, {
    checkedAt,
    liveAt: isLive(view) ? checkedAt : null,
  });
}

/**
 * Creates the custom hostname of each hostname the tenant adds outside the platform's domain
 * (TXT validation: the tenant can publish the records before pointing its DNS at the platform),
 * or adopts the one a create whose answer was lost made, found by its hostname. One the zone
 * has for someone else (another tenant's, or made by hand) is refused: `hostname_taken`.
 */
export const createCustomHostnames: Step = {
  name: "create_custom_hostnames",
  callsApi: true,
  async run(context) {
    const { tenant } = context;
    const wanted = (await customRows(context)).filter(
      (row) => row.state !== "removing" && row.custom_hostname_id === null,
    );
    for (const row of wanted) {
      const answer = await zoneOf(context).ensure({
        hostname: row.hostname,
        method: "txt",
        metadata: { [TENANT_METADATA_KEY]: tenant.id },
      });
      // The request was refused if the zone had it then (api/zone-hostnames.ts); one made since is refused here.
      if (!isMadeFor(answer, tenant.id)) throw new StepRefusal("hostname_taken", takenOnZone(row.hostname));
      await recordAnswer(context, answer, row).run();
    }
  },
};

/**
 * Deletes the custom hostnames of the hostnames given up (`removing`) or, in a teardown, of all:
 * by the recorded id, then one found by hostname that names the tenant (a create whose answer
 * was lost). Never one made for someone else.
 */
export function deleteCustomHostnames(scope: "removing" | "all"): Step {
  return {
    name: "delete_custom_hostnames",
    callsApi: true,
    async run(context) {
      const { tenant } = context;
      const zone = zoneOf(context);
      const doomed = (await customRows(context)).filter((row) => scope === "all" || row.state === "removing");
      for (const row of doomed) {
        if (row.custom_hostname_id !== null) await zone.delete(row.custom_hostname_id);
        const orphan = await zone.find(row.hostname);
        if (orphan !== null && isMadeFor(orphan, tenant.id)) await zone.delete(orphan.id);
        await forgetCustomHostname(context.env.DB, tenant.id, row.hostname).run();
      }
    },
  };
}
