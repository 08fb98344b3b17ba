import type { AccountId } from "../../../../cloudflare-api/names";
import type { BulkDeleteResult, NamespaceScript } from "../../../../cloudflare-api/script-metadata";
import { failure, namespaceNotFound, success, type WorkersResult } from "../errors";
import {
  namespaceScript,
  objectClassesOf,
  type RunnableScript,
  runnableScript,
  type ScriptRecord,
} from "../script-record";
import { matchesTagFilter, type TagFilter } from "../tag-filter";
import { deleteBodies } from "./bodies";
import type { StoreContext } from "./context";
import { deleteScriptRows, findScript, namespaceRow, readScript, scriptRecords } from "./rows";

/** Scripts as a whole: read, listed, deleted; their content's whereabouts; what the dispatcher runs. */

export interface ScriptListQuery {
  filter: TagFilter | null;
  limit: number;
  /** The last script name of the previous page. */
  after: string | undefined;
}

export interface ScriptPage {
  scripts: NamespaceScript[];
  /** The last name on this page when more follow. */
  last: string | undefined;
}

export function getScript(ctx: StoreContext, namespace: string, script: string): WorkersResult<NamespaceScript> {
  const found = findScript(ctx, namespace, script);
  return found.ok ? success(namespaceScript(found.value)) : found;
}

export function listScripts(ctx: StoreContext, namespace: string, query: ScriptListQuery): WorkersResult<ScriptPage> {
  if (namespaceRow(ctx, namespace) === undefined) return failure(namespaceNotFound(namespace));
  const matching = scriptRecords(ctx, namespace).filter(
    (s) => matchesTagFilter(s.tags, query.filter) && (query.after === undefined || s.name > query.after),
  );
  const page = matching.slice(0, query.limit);
  const more = matching.length > page.length;
  return success({ scripts: page.map(namespaceScript), last: more ? page.at(-1)?.name : undefined });
}

/** Runs in the change queue, like every delete. */
export async function deleteScript(
  ctx: StoreContext,
  accountId: string,
  namespace: string,
  script: string,
): Promise<WorkersResult<null>> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  ctx.transaction(() => deleteScriptRows(ctx, namespace, script));
  await deleteBodies(ctx.env.SCRIPT_MODULES, [found.value.version]);
  forgetObjects(ctx, accountId, [found.value]);
  return success(null);
}

/** Deleted scripts' objects go with them: each script's that had Durable Object classes. */
export function forgetObjects(ctx: StoreContext, accountId: string, records: readonly ScriptRecord[]): void {
  for (const record of records) {
    if (Object.keys(objectClassesOf(record)).length === 0) continue;
    ctx.objectsGone({ accountId: accountId as AccountId, namespace: record.namespace, script: record.name }, "all");
  }
}

/** Deletes up to `limit` scripts matching the filter (all scripts when there is none), in name order. */
export async function deleteScripts(
  ctx: StoreContext,
  accountId: string,
  namespace: string,
  filter: TagFilter | null,
  limit: number,
): Promise<WorkersResult<BulkDeleteResult>> {
  if (namespaceRow(ctx, namespace) === undefined) return failure(namespaceNotFound(namespace));
  const matching = scriptRecords(ctx, namespace).filter((s) => matchesTagFilter(s.tags, filter));
  const doomed = matching.slice(0, limit);
  ctx.transaction(() => {
    for (const s of doomed) deleteScriptRows(ctx, namespace, s.name);
  });
  await deleteBodies(
    ctx.env.SCRIPT_MODULES,
    doomed.map((s) => s.version),
  );
  forgetObjects(ctx, accountId, doomed);
  return success({
    deleted: doomed.map((s) => ({ id: s.tag })),
    deleted_count: doomed.length,
    has_more: matching.length > doomed.length,
  });
}

/** Where each module body of the current version lives, for `GET …/content`. */
export function getContent(
  ctx: StoreContext,
  namespace: string,
  script: string,
): WorkersResult<{ mainModule: string; modules: RunnableScript["modules"] }> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const { main_module, modules } = found.value.version;
  return success({ mainModule: main_module, modules: modules.map(({ name, type, r2Key }) => ({ name, type, r2Key })) });
}

/** Everything needed to run a script, secret values included; null when there is no such script. */
export function getRunnableScript(ctx: StoreContext, namespace: string, script: string): RunnableScript | null {
  const record = readScript(ctx, namespace, script);
  return record === null ? null : runnableScript(record);
}
