import { Hono } from "hono";
import { ScriptSettingsPatch } from "../../../../cloudflare-api/script-metadata";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { validationFailed } from "../errors";
import { parseWorkersInput } from "../validation";
import { readJsonPart, readMultipart } from "./multipart";
import { apiError, scriptParams, unwrap, workersStore } from "./store-answers";

/** A script's bindings (secret values left out) and settings. */
export const settings = new Hono<ApiEnv>();

settings.get("/:script/bindings", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).getBindings(namespace, script)));
});

settings.get("/:script/settings", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).getSettings(namespace, script)));
});

/** Multipart with one JSON part named `settings`; `bindings` in it is the whole list, `inherit` carries the rest. */
settings.patch("/:script/settings", async (c) => {
  const { namespace, script } = scriptParams(c);
  const form = await readMultipart(c);
  const raw = await readJsonPart(form, "settings");
  if (raw === undefined) throw apiError(validationFailed("The request has no settings part"));
  const patch = unwrap(parseWorkersInput(ScriptSettingsPatch, raw, "tags-field"));
  return ok(c, unwrap(await workersStore(c).patchSettings(c.get("accountId"), namespace, script, patch)));
});
