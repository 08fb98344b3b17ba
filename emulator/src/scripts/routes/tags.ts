import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { ScriptTags } from "../../../../cloudflare-api/script-metadata";
import { readBodyBytes } from "../../http/body";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { parseJsonText, parseWorkersInput } from "../validation";
import { scriptParams, unwrap, workersStore } from "./store-answers";

/** A script's tags (at most eight, no `,` or `&`): script-level, so no new version is made. */
export const tags = new Hono<ApiEnv>();

tags.get("/:script/tags", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).getTags(namespace, script)));
});

/** The body is the whole new list (`null` clears it). */
tags.put("/:script/tags", async (c) => {
  const { namespace, script } = scriptParams(c);
  const text = new TextDecoder().decode(await readBodyBytes(c, ErrorCode.scriptValidationFailed));
  const raw = unwrap(parseJsonText(text, "The request body"));
  const list = unwrap(parseWorkersInput(ScriptTags.nullable(), raw, "root")) ?? [];
  return ok(c, unwrap(await workersStore(c).putTags(namespace, script, list)));
});

tags.put("/:script/tags/:tag", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).addTag(namespace, script, c.req.param("tag"))));
});

tags.delete("/:script/tags/:tag", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).removeTag(namespace, script, c.req.param("tag"))));
});
