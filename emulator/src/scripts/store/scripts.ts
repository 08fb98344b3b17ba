import type { AccountId } from "../../../../cloudflare-api/names";
import type { BulkDeleteResult, NamespaceScript } from "../../../../cloudflare-api/script-metadata";
import type { ObjectsDeployment } from "../../durable-objects/versions";
import { type DeployedScript, pickRunnable, type RunnableVersion } from "../deployed-script";
import { failure, namespaceNotFound, success, type WorkersResult } from "../errors";
import {
  namespaceScript,
  objectClassesOf,
  type RunnableScript,
  runnableScript,
  type ScriptRecord,
} from "../script-record";
import { matchesTagFilter, type TagFilter } from "../tag-filter";
import { largestShare, type VersionChoice } from "../version-choice";
import { deleteBodies } from "./bodies";
import type { StoreContext } from "./context";
import { activeDeployment } from "./deployment-rows";
import { deleteScriptRows, findScript, namespaceRow, scriptRecords } from "./rows";
import { findVersion, versionModules } from "./version-rows";

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
  const modules = versionModules(ctx, namespace, script);
  ctx.transaction(() => deleteScriptRows(ctx, namespace, script));
  await deleteBodies(ctx.env.SCRIPT_MODULES, modules);
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
  const modules = doomed.flatMap((s) => versionModules(ctx, namespace, s.name));
  ctx.transaction(() => {
    for (const s of doomed) deleteScriptRows(ctx, namespace, s.name);
  });
  await deleteBodies(ctx.env.SCRIPT_MODULES, modules);
  forgetObjects(ctx, accountId, doomed);
  return success({
    deleted: doomed.map((s) => ({ id: s.tag })),
    deleted_count: doomed.length,
    has_more: matching.length > doomed.length,
  });
}

/** Where each module body of the latest version lives, for `GET …/content`. */
export function getContent(
  ctx: StoreContext,
  namespace: string,
  script: string,
): WorkersResult<{ mainModule: string | null; modules: RunnableScript["modules"] }> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const { main_module, modules } = found.value.version;
  return success({ mainModule: main_module, modules: modules.map(({ name, type, r2Key }) => ({ name, type, r2Key })) });
}

/** The active deployment with each of its versions' runnables; null when there is no such script. */
export function deployedScript(ctx: StoreContext, namespace: string, script: string): DeployedScript | null {
  const active = activeDeployment(ctx, namespace, script);
  if (active === undefined) return null;
  const versions = active.versions.flatMap((v) => {
    const version = findVersion(ctx, namespace, script, v.version_id);
    return version === undefined ? [] : [{ id: version.id, runnable: runnableScript(version.record) }];
  });
  return { shares: active.versions, versions };
}

/** The active deployment's version for one request (version-choice.ts); null when there is no such script. */
export function chooseRunnable(
  ctx: StoreContext,
  namespace: string,
  script: string,
  choice: VersionChoice,
): RunnableVersion | null {
  const deployed = deployedScript(ctx, namespace, script);
  return deployed === null ? null : pickRunnable(deployed, choice);
}

/**
 * Everything needed to run one version of a script, secret values included: the
 * version named, or without one the active deployment's with the most traffic;
 * null when there is no such script or version.
 */
export function getRunnableScript(
  ctx: StoreContext,
  namespace: string,
  script: string,
  versionId?: string,
): RunnableScript | null {
  const active = versionId === undefined ? activeDeployment(ctx, namespace, script) : undefined;
  const id = versionId ?? (active === undefined ? undefined : largestShare(active.versions));
  const version = id === undefined ? undefined : findVersion(ctx, namespace, script, id);
  return version === undefined ? null : runnableScript(version.record);
}

/** What the host of the script's Durable Objects needs to give each object its version; null when there is no script. */
export function getObjectsDeployment(ctx: StoreContext, namespace: string, script: string): ObjectsDeployment | null {
  const active = activeDeployment(ctx, namespace, script);
  if (active === undefined) return null;
  const versions = active.versions.flatMap((share) => {
    const version = findVersion(ctx, namespace, script, share.version_id);
    return version === undefined ? [] : [{ ...share, etag: version.record.etag, record: version.record }];
  });
  const [first] = versions;
  if (first === undefined) return null;
  return {
    tag: first.record.tag,
    // A deployment's versions have the same classes (deployment-rules.ts).
    namespaces: Object.values(objectClassesOf(first.record)),
    versions: versions.map(({ version_id, percentage, etag }) => ({ version_id, percentage, etag })),
  };
}
