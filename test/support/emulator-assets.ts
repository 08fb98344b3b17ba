import { z } from "zod";
import { AssetHash } from "../../cloudflare-api/assets.ts";
import { emulatorApi } from "../../scripts/lib/emulator-api.ts";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { tenantsNamespace } from "./control-plane-vars.ts";

const StoredFile = z.object({ hash: AssetHash, size: z.number() });
const UploadedFile = StoredFile.extend({ at: z.string() });
const AccountAssets = z.object({ files: z.array(StoredFile), uploaded: z.array(UploadedFile) });
export type AccountAssets = z.infer<typeof AccountAssets>;

/**
 * The static asset files the emulator (`emulatorUrl` is its http://127.0.0.1:<port>) holds for the
 * account the local control plane deploys to, through its hook `GET /__emulator/assets/:account_id`:
 * the files stored (by hash) and every file its upload route took, oldest first.
 */
export function emulatorAssets(emulatorUrl: string, token = emulatorApiToken()) {
  const call = emulatorApi(emulatorUrl, token);
  const { accountId } = tenantsNamespace();
  return async (): Promise<AccountAssets> => AccountAssets.parse(await call(`/__emulator/assets/${accountId}`));
}
