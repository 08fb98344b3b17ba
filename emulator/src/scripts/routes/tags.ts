import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { ScriptTags } from "../../../../cloudflare-api/script-metadata";
import { readBodyBytes } from "../../http/body";
import type { ApiEnv } from "../../http/types";
import { parseJsonText, parseWorkersInput } from "../validation";
import { storeRoute, unwrap } from "./store-answers";

/** A script's tags (at most eight, no `,` or `&`): script-level, so no new version is made. */
export const tags = new Hono<ApiEnv>();

tags.get(
  "/:script/tags",
  storeRoute((store, { namespace, script }) => store.getTags(namespace, script)),
);

/** The body is the whole new list (`null` clears it). */
tags.put(
  "/:script/tags",
  storeRoute(async (store, { namespace, script }, c) => {
    const text = new TextDecoder().decode(await readBodyBytes(c, ErrorCode.scriptValidationFailed));
    const raw = unwrap(parseJsonText(text, "The request body"));
    const list = unwrap(parseWorkersInput(ScriptTags.nullable(), raw, "root")) ?? [];
    return store.putTags(namespace, script, list);
  }),
);

tags.put(
  "/:script/tags/:tag",
  storeRoute((store, { namespace, script }, c) => store.addTag(namespace, script, c.req.param("tag") ?? "")),
);

tags.delete(
  "/:script/tags/:tag",
  storeRoute((store, { namespace, script }, c) => store.removeTag(namespace, script, c.req.param("tag") ?? "")),
);
