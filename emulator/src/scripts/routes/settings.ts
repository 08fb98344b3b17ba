import { Hono } from "hono";
import { ScriptSettingsPatch } from "../../../../cloudflare-api/script-metadata";
import { checkCompatibility } from "../../dispatch/startup-check";
import type { ApiEnv } from "../../http/types";
import { validationFailed } from "../errors";
import { DEFAULT_COMPATIBILITY_DATE } from "../script-record";
import { parseWorkersInput } from "../validation";
import { readJsonPart, readMultipart } from "./multipart";
import { apiError, storeRoute, unwrap } from "./store-answers";

/** A script's bindings (secret values left out) and settings. */
export const settings = new Hono<ApiEnv>();

settings.get(
  "/:script/bindings",
  storeRoute((store, { namespace, script }) => store.getBindings(namespace, script)),
);

settings.get(
  "/:script/settings",
  storeRoute((store, { namespace, script }) => store.getSettings(namespace, script)),
);

/** Multipart with one JSON part named `settings`; `bindings` in it is the whole list, `inherit` carries the rest. */
settings.patch(
  "/:script/settings",
  storeRoute(async (store, { namespace, script }, c) => {
    const form = await readMultipart(c);
    const raw = await readJsonPart(form, "settings");
    if (raw === undefined) throw apiError(validationFailed("The request has no settings part"));
    const patch = unwrap(parseWorkersInput(ScriptSettingsPatch, raw, "tags-field"));
    if (patch.compatibility_date !== undefined || patch.compatibility_flags !== undefined) {
      // Refused as an upload with them is, before the version that would not start is deployed.
      const current = unwrap(await store.getSettings(namespace, script));
      const date = patch.compatibility_date ?? current.compatibility_date ?? DEFAULT_COMPATIBILITY_DATE;
      unwrap(await checkCompatibility(c.env.LOADER, date, patch.compatibility_flags ?? current.compatibility_flags));
    }
    return store.patchSettings(c.get("accountId"), namespace, script, patch);
  }),
);
