import { failure, namespaceNotFound, scriptNotFound, success, type WorkersResult } from "../errors";
import { sha256Hex } from "../etag";
import { type ScriptRecord, toRecord } from "../script-record";
import type { StoreContext } from "./context";
import {
  DEPLOYMENTS,
  insertRow,
  NAMESPACES,
  type NamespaceRow,
  SCRIPT_SCHEDULES,
  SCRIPT_TAGS,
  SCRIPTS,
  type ScriptRow,
  VERSIONS,
} from "./schema";

/** Reads and writes of single rows, which every part of the store shares. */

export const namespaceRow = ({ sql }: StoreContext, name: string): NamespaceRow | undefined =>
  sql.exec<NamespaceRow>(`SELECT * FROM ${NAMESPACES.name} WHERE name = ?`, name).toArray()[0];

export const tagsOf = ({ sql }: StoreContext, namespace: string, script: string): string[] =>
  sql
    .exec<{ tag: string }>(
      `SELECT tag FROM ${SCRIPT_TAGS.name} WHERE namespace = ? AND script = ? ORDER BY position, tag`,
      namespace,
      script,
    )
    .toArray()
    .map((row) => row.tag);

export function replaceTags(ctx: StoreContext, namespace: string, script: string, tags: string[]): void {
  ctx.sql.exec(`DELETE FROM ${SCRIPT_TAGS.name} WHERE namespace = ? AND script = ?`, namespace, script);
  [...new Set(tags)].forEach((tag, position) => {
    insertRow(ctx.sql, SCRIPT_TAGS, { namespace, script, tag, position });
  });
}

const scriptRow = ({ sql }: StoreContext, namespace: string, script: string): ScriptRow | undefined =>
  sql.exec<ScriptRow>(`SELECT * FROM ${SCRIPTS.name} WHERE namespace = ? AND name = ?`, namespace, script).toArray()[0];

export function readScript(ctx: StoreContext, namespace: string, script: string): ScriptRecord | null {
  const row = scriptRow(ctx, namespace, script);
  return row === undefined ? null : toRecord(row, tagsOf(ctx, namespace, script));
}

export function findScript(ctx: StoreContext, namespace: string, script: string): WorkersResult<ScriptRecord> {
  if (namespaceRow(ctx, namespace) === undefined) return failure(namespaceNotFound(namespace));
  const record = readScript(ctx, namespace, script);
  return record === null ? failure(scriptNotFound()) : success(record);
}

/** For just after a commit, when the script is known to exist. */
export function requireScript(ctx: StoreContext, namespace: string, script: string): ScriptRecord {
  const record = readScript(ctx, namespace, script);
  if (record === null) throw new Error("script vanished right after its commit");
  return record;
}

/** The namespace's scripts in name order. */
export const scriptRecords = (ctx: StoreContext, namespace: string): ScriptRecord[] =>
  ctx.sql
    .exec<ScriptRow>(`SELECT * FROM ${SCRIPTS.name} WHERE namespace = ? ORDER BY name`, namespace)
    .toArray()
    .map((row) => toRecord(row, tagsOf(ctx, namespace, row.name)));

/** The script's rows, its versions, deployments and schedules with them. */
export function deleteScriptRows({ sql }: StoreContext, namespace: string, script: string): void {
  for (const t of [SCRIPT_TAGS, SCRIPT_SCHEDULES, VERSIONS, DEPLOYMENTS]) {
    sql.exec(`DELETE FROM ${t.name} WHERE namespace = ? AND script = ?`, namespace, script);
  }
  sql.exec(`DELETE FROM ${SCRIPTS.name} WHERE namespace = ? AND name = ?`, namespace, script);
}

/** A script as a change starts from: its record (null: none yet), and the revision it is at. */
export interface ScriptState {
  record: ScriptRecord | null;
  revision: string;
}

/**
 * The script's revision is a digest of everything a new version is made
 * from: its row, and its namespace's id (a namespace deleted, or deleted and
 * made again, is a change). Tags are left out: no version carries them, and a
 * commit replaces them only when its change says so. Both rows are read
 * before the first await, so they belong together.
 */
export async function readState(ctx: StoreContext, namespace: string, script: string): Promise<ScriptState> {
  const namespaceId = namespaceRow(ctx, namespace)?.id ?? null;
  const row = scriptRow(ctx, namespace, script) ?? null;
  const record = row === null ? null : toRecord(row, tagsOf(ctx, namespace, script));
  return { record, revision: await sha256Hex(JSON.stringify([namespaceId, row])) };
}

/** The state of a script that must exist, or the refusal for its namespace or for itself. */
export async function findState(
  ctx: StoreContext,
  namespace: string,
  script: string,
): Promise<WorkersResult<ScriptState & { record: ScriptRecord }>> {
  if (namespaceRow(ctx, namespace) === undefined) return failure(namespaceNotFound(namespace));
  const { record, revision } = await readState(ctx, namespace, script);
  return record === null ? failure(scriptNotFound()) : success({ record, revision });
}
