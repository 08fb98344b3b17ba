import { WorkerEntrypoint } from "cloudflare:workers";
import type { AssetsConfig } from "../../../cloudflare-api/assets";
import type { BindingKind } from "../bindings/kind";
import type { Env } from "../env";
import { type AssetsSite, serveAssets } from "./serve";

/**
 * A version's static assets as the Worker's `env.ASSETS`: a Fetcher whose `fetch()` answers as
 * production's ASSETS binding does, `not_found_handling` applied and the Worker never run. The
 * props say whose files and which manifest; the emulator sets them from the version, so a tenant
 * reaches only its own account's files, and only the paths its manifest names.
 */
export class TenantAssets extends WorkerEntrypoint<Env, AssetsSite> {
  override fetch(request: Request): Promise<Response> {
    return serveAssets(this.env, this.ctx.props, request);
  }
}

/**
 * The binding as the runnable script carries it: the version's manifest key and config beside the
 * binding's name (scripts/script-record.ts `runnableScript`); the scope gives the account.
 */
export const assetsBinding: BindingKind = {
  type: "assets",
  toEnv: (binding, exports, scope) => {
    const props: AssetsSite = {
      accountId: scope.accountId,
      manifest: String(binding.manifest),
      config: binding.config as AssetsConfig,
    };
    return exports.TenantAssets?.({ props });
  },
};
