import { z } from "zod";
import { Schedules } from "../../cloudflare-api/schedules.ts";
import { emulatorApi } from "../../scripts/lib/emulator-api.ts";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { tenantsNamespace } from "./control-plane-vars.ts";

/** One run the emulator's test hook started: workerd's outcome of the script's `scheduled()`. */
const FiredRun = z.object({ cron: z.string(), scheduledTime: z.number(), outcome: z.string() });
const Fired = z.object({ fired: z.array(FiredRun) });
export type FiredRun = z.infer<typeof FiredRun>;

/**
 * A tenant script's Cron Triggers at the emulator (`emulatorUrl` is its http://127.0.0.1:<port>),
 * in the namespace the local control plane deploys to: as the Cloudflare API shows them, and run
 * now through the emulator's hook (`POST /__emulator/schedules/:account_id/fire`). A call the
 * emulator refuses throws, naming its status.
 */
export function tenantSchedules(emulatorUrl: string, token = emulatorApiToken()) {
  const call = emulatorApi(emulatorUrl, token);
  const { accountId, namespace } = tenantsNamespace();
  return {
    /** The crons of `script`'s schedules, as `GET …/scripts/{script}/schedules` answers them. */
    async crons(script: string): Promise<string[]> {
      const path = `/client/v4/accounts/${accountId}/workers/dispatch/namespaces/${namespace}/scripts/${script}/schedules`;
      return Schedules.parse(await call(path)).schedules.map((schedule) => schedule.cron);
    },
    /** Runs `script`'s trigger `cron` (all of them without it) now. */
    async fire(script: string, cron?: string): Promise<FiredRun[]> {
      const body = JSON.stringify({ namespace, script, ...(cron === undefined ? {} : { cron }) });
      return Fired.parse(await call(`/__emulator/schedules/${accountId}/fire`, { method: "POST", body })).fired;
    },
  };
}
