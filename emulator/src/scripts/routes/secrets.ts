import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { SecretInput } from "../../../../cloudflare-api/script-metadata";
import { parseJsonBody } from "../../http/body";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { scriptParams, unwrap, workersStore } from "./store-answers";

/**
 * A script's secrets: secret_text bindings, each change a new version. Only
 * names and types are ever answered; no message quotes a value.
 */
export const secrets = new Hono<ApiEnv>();

secrets.get("/:script/secrets", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).listSecrets(namespace, script)));
});

secrets.put("/:script/secrets", async (c) => {
  const { namespace, script } = scriptParams(c);
  const secret = await parseJsonBody(c, SecretInput, ErrorCode.scriptValidationFailed);
  return ok(c, unwrap(await workersStore(c).putSecret(c.get("accountId"), namespace, script, secret)));
});

secrets.get("/:script/secrets/:secret", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).getSecret(namespace, script, c.req.param("secret"))));
});

secrets.delete("/:script/secrets/:secret", async (c) => {
  const { namespace, script } = scriptParams(c);
  const store = workersStore(c);
  return ok(c, unwrap(await store.deleteSecret(c.get("accountId"), namespace, script, c.req.param("secret"))));
});
