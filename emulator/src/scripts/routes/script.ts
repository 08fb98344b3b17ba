import { Hono } from "hono";
import { z } from "zod";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { describeZodError } from "../../http/body";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { namespacedScriptNotFound, validationFailed } from "../errors";
import { parseTagFilter } from "../tag-filter";
import { apiError, scriptParams, unwrap, workersStore } from "./store-answers";

/** Largest page of a script list, and most scripts one bulk delete removes. */
const MAX_LIMIT = 1000;

const ListQuery = z.object({
  tags: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(MAX_LIMIT),
  cursor: z.string().optional(),
});

function listQuery(query: Record<string, string>) {
  const parsed = ListQuery.safeParse(query);
  if (!parsed.success) throw apiError(validationFailed(describeZodError(parsed.error)));
  return { ...parsed.data, filter: unwrap(parseTagFilter(parsed.data.tags)) };
}

/** The cursor is opaque to clients: the last name of the page before, base64url. */
const encodeCursor = (name: string) => btoa(name).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
function decodeCursor(cursor: string): string {
  try {
    return atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    throw apiError(validationFailed("Invalid cursor"));
  }
}

/** The scripts of a namespace: listed and bulk-deleted by tag filter, read and deleted one by one. */
export const scriptRoutes = new Hono<ApiEnv>();

scriptRoutes.get("/", async (c) => {
  const { filter, limit, cursor } = listQuery(c.req.query());
  const after = cursor === undefined || cursor === "" ? undefined : decodeCursor(cursor);
  const page = unwrap(await workersStore(c).listScripts(c.req.param("namespace") ?? "", { filter, limit, after }));
  const next = page.last === undefined ? "" : encodeCursor(page.last);
  return ok(c, page.scripts, { count: page.scripts.length, cursor: next });
});

/** `?tags=t:yes&limit=1000`; without a filter every script of the namespace goes. */
scriptRoutes.delete("/", async (c) => {
  const { filter, limit } = listQuery(c.req.query());
  return ok(
    c,
    unwrap(await workersStore(c).deleteScripts(c.get("accountId"), c.req.param("namespace") ?? "", filter, limit)),
  );
});

scriptRoutes.get("/:script", async (c) => {
  const { namespace, script } = scriptParams(c);
  const found = await workersStore(c).getScript(namespace, script);
  if (!found.ok && found.error.code === ErrorCode.scriptNotFound) throw apiError(namespacedScriptNotFound());
  return ok(c, unwrap(found));
});

/** `?force=true` is accepted: nothing here can block a delete (no other script's bindings are tracked). */
scriptRoutes.delete("/:script", async (c) => {
  const { namespace, script } = scriptParams(c);
  return ok(c, unwrap(await workersStore(c).deleteScript(c.get("accountId"), namespace, script)));
});
