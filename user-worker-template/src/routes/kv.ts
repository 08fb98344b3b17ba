import { Hono } from "hono";
import { z } from "zod";
import { requireWriteAccess } from "../auth";
import type { AppEnv } from "../env";
import { methodNotAllowed, notFound } from "../errors";
import { jsonBody, limitBody, parseOr400 } from "../validation";

/** Values are kept small here: this is a settings store, not a file store (see /files). */
export const MAX_KV_VALUE_BYTES = 64 * 1024;

const byteLength = (text: string) => new TextEncoder().encode(text).length;

/** KV's limit. ("." and "..", which KV refuses too, never reach here: URLs resolve them away.) */
const KvKey = z
  .string()
  .min(1)
  .refine((key) => byteLength(key) <= 512, "keys are at most 512 bytes");

const PutKvValue = z.strictObject({
  value: z
    .string()
    .refine((v) => byteLength(v) <= MAX_KV_VALUE_BYTES, `values are at most ${MAX_KV_VALUE_BYTES} bytes`),
  /** KV's minimum expiration is 60 seconds. */
  expirationTtl: z
    .int()
    .min(60)
    .max(365 * 24 * 3600)
    .optional(),
});

const keyOf = (raw: string) => parseOr400(KvKey, raw, "key");

/** `/kv/:key`: read (anyone), write and delete (see requireWriteAccess) one string value in the tenant's KV namespace. */
export const kv = new Hono<AppEnv>()
  .get("/:key", async (c) => {
    const key = keyOf(c.req.param("key"));
    const value = await c.env.KV.get(key);
    if (value === null) throw notFound(`key "${key}"`);
    return c.json({ key, value });
  })
  // The JSON envelope ({"value": …}) adds a little to the value's own limit.
  .put("/:key", requireWriteAccess, limitBody(MAX_KV_VALUE_BYTES + 1024), async (c) => {
    const key = keyOf(c.req.param("key"));
    const { value, expirationTtl } = await jsonBody(c, PutKvValue);
    await c.env.KV.put(key, value, expirationTtl === undefined ? {} : { expirationTtl });
    return c.json({ key, value });
  })
  .delete("/:key", requireWriteAccess, async (c) => {
    await c.env.KV.delete(keyOf(c.req.param("key")));
    return c.body(null, 204);
  })
  .all("/:key", methodNotAllowed(["GET", "HEAD", "PUT", "DELETE"]));
