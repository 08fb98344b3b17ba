import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { SecretInput } from "../../../../cloudflare-api/script-metadata";
import { parseJsonBody } from "../../http/body";
import type { ApiEnv } from "../../http/types";
import { storeRoute } from "./store-answers";

/**
 * A script's secrets: secret_text bindings, each change a new version. Only
 * names and types are ever answered; no message quotes a value.
 */
export const secrets = new Hono<ApiEnv>();

secrets.get(
  "/:script/secrets",
  storeRoute((store, { namespace, script }) => store.listSecrets(namespace, script)),
);

secrets.put(
  "/:script/secrets",
  storeRoute(async (store, { namespace, script }, c) => {
    const secret = await parseJsonBody(c, SecretInput, ErrorCode.scriptValidationFailed);
    return store.putSecret(c.get("accountId"), namespace, script, secret);
  }),
);

secrets.get(
  "/:script/secrets/:secret",
  storeRoute((store, { namespace, script }, c) => store.getSecret(namespace, script, c.req.param("secret") ?? "")),
);

secrets.delete(
  "/:script/secrets/:secret",
  storeRoute((store, { namespace, script }, c) =>
    store.deleteSecret(c.get("accountId"), namespace, script, c.req.param("secret") ?? ""),
  ),
);
