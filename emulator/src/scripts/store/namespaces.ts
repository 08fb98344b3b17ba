import type { DispatchNamespace } from "../../../../cloudflare-api/script-metadata";
import { failure, namespaceExists, namespaceNotFound, success, type WorkersResult } from "../errors";
import { deleteBodies } from "./bodies";
import type { StoreContext } from "./context";
import { namespaceRow, scriptRecords } from "./rows";
import { DEPLOYMENTS, insertRow, NAMESPACES, type NamespaceRow, SCRIPT_TAGS, SCRIPTS, VERSIONS } from "./schema";
import { forgetObjects } from "./scripts";
import { versionModules } from "./version-rows";

/** Dispatch namespaces: made, listed in creation order, read, and deleted with every script in them. */

function namespaceView({ sql }: StoreContext, row: NamespaceRow): DispatchNamespace {
  const count = sql
    .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${SCRIPTS.name} WHERE namespace = ?`, row.name)
    .one().n;
  return {
    namespace_id: row.id,
    namespace_name: row.name,
    created_on: row.created_on,
    created_by: row.created_by,
    modified_on: row.modified_on,
    modified_by: row.created_by,
    script_count: count,
    trusted_workers: false,
  };
}

export function createNamespace(ctx: StoreContext, accountId: string, name: string): WorkersResult<DispatchNamespace> {
  if (namespaceRow(ctx, name) !== undefined) return failure(namespaceExists(name));
  const now = new Date().toISOString();
  const seq = ctx.sql.exec<{ s: number }>(`SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM ${NAMESPACES.name}`).one().s;
  const row = { name, id: crypto.randomUUID(), created_on: now, modified_on: now, created_by: accountId, seq };
  insertRow(ctx.sql, NAMESPACES, row);
  return success(namespaceView(ctx, row));
}

export const listNamespaces = (ctx: StoreContext): DispatchNamespace[] =>
  ctx.sql
    .exec<NamespaceRow>(`SELECT * FROM ${NAMESPACES.name} ORDER BY seq`)
    .toArray()
    .map((row) => namespaceView(ctx, row));

export function getNamespace(ctx: StoreContext, name: string): WorkersResult<DispatchNamespace> {
  const row = namespaceRow(ctx, name);
  return row === undefined ? failure(namespaceNotFound(name)) : success(namespaceView(ctx, row));
}

/** Runs in the change queue: the scripts' bodies go once their rows are gone. */
export async function deleteNamespace(
  ctx: StoreContext,
  accountId: string,
  name: string,
): Promise<WorkersResult<null>> {
  if (namespaceRow(ctx, name) === undefined) return failure(namespaceNotFound(name));
  const scripts = scriptRecords(ctx, name);
  const modules = versionModules(ctx, name);
  ctx.transaction(() => {
    for (const t of [SCRIPT_TAGS, SCRIPTS, VERSIONS, DEPLOYMENTS])
      ctx.sql.exec(`DELETE FROM ${t.name} WHERE namespace = ?`, name);
    ctx.sql.exec(`DELETE FROM ${NAMESPACES.name} WHERE name = ?`, name);
  });
  await deleteBodies(ctx.env.SCRIPT_MODULES, modules);
  forgetObjects(ctx, accountId, scripts);
  return success(null);
}
