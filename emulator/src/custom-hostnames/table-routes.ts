import { Hono } from "hono";
import { z } from "zod";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { parseJsonBody } from "../http/body";
import { ApiError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { customHostnamesStoreOf } from "./store";

/**
 * `/__emulator/dns`, `/__emulator/http` and `/__emulator/custom-hostnames`: the stand-in for the
 * internet Cloudflare reads when it validates a custom hostname (TXT records by name, bodies by URL),
 * and the validation timeout. Mounted behind the admin token.
 */
export const validationTable = new Hono<ApiEnv>();

const TxtBody = z.object({ txt: z.array(z.string().max(2048)).min(1).max(20) });
const HttpBody = z.object({ body: z.string().max(4096) });
const TimeoutBody = z.object({ ms: z.number().int().min(0) });
const invalid = ErrorCode.workersInvalidRequest;
const notFound = () => new ApiError(404, ErrorCode.noRoute, "Nothing is published there");

function urlOf(raw: string | undefined): string {
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(raw);
  if (!parsed.success) throw new ApiError(400, invalid, "url must be an http(s) URL");
  return parsed.data;
}

validationTable.put("/dns/:name", async (c) => {
  const body = await parseJsonBody(c, TxtBody, invalid);
  await customHostnamesStoreOf(c.env).setTxt(c.req.param("name"), body.txt);
  return ok(c, { name: c.req.param("name").toLowerCase(), txt: body.txt });
});
validationTable.delete("/dns/:name", async (c) => {
  if (!(await customHostnamesStoreOf(c.env).deleteTxt(c.req.param("name")))) throw notFound();
  return ok(c, { name: c.req.param("name").toLowerCase() });
});

validationTable.put("/http", async (c) => {
  const url = urlOf(c.req.query("url"));
  const body = await parseJsonBody(c, HttpBody, invalid);
  await customHostnamesStoreOf(c.env).setHttp(url, body.body);
  return ok(c, { url, body: body.body });
});
validationTable.delete("/http", async (c) => {
  const url = urlOf(c.req.query("url"));
  if (!(await customHostnamesStoreOf(c.env).deleteHttp(url))) throw notFound();
  return ok(c, { url });
});

validationTable.get("/custom-hostnames/validation-timeout", async (c) =>
  ok(c, { ms: await customHostnamesStoreOf(c.env).validationTimeoutMs() }),
);
validationTable.put("/custom-hostnames/validation-timeout", async (c) => {
  const body = await parseJsonBody(c, TimeoutBody, invalid);
  return ok(c, { ms: await customHostnamesStoreOf(c.env).setValidationTimeoutMs(body.ms) });
});
