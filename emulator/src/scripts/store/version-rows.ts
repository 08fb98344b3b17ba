import type { VersionAnnotations } from "../../../../cloudflare-api/versions";
import type { ScriptRecord, ScriptVersion } from "../script-record";
import { toRecord, toRow } from "../script-record";
import type { StoreContext } from "./context";
import { insertRow, VERSIONS, type VersionRow } from "./schema";

/** A script's versions as stored: each keeps the whole record it runs as, secret values included. */

export interface StoredVersion {
  id: string;
  number: number;
  created_on: string;
  annotations: VersionAnnotations;
  /** What the version runs as; its `tags` are always empty (tags are the script's, not a version's). */
  record: ScriptRecord;
}

function toVersion(row: VersionRow): StoredVersion {
  return {
    id: row.id,
    number: row.number,
    created_on: row.created_on,
    annotations: JSON.parse(row.annotations) as VersionAnnotations,
    record: toRecord(JSON.parse(row.record), []),
  };
}

/** The script's versions, newest first. */
export const versionsOf = ({ sql }: StoreContext, namespace: string, script: string): StoredVersion[] =>
  sql
    .exec<VersionRow>(
      `SELECT * FROM ${VERSIONS.name} WHERE namespace = ? AND script = ? ORDER BY number DESC`,
      namespace,
      script,
    )
    .toArray()
    .map(toVersion);

export function findVersion(
  { sql }: StoreContext,
  namespace: string,
  script: string,
  id: string,
): StoredVersion | undefined {
  const [row] = sql
    .exec<VersionRow>(
      `SELECT * FROM ${VERSIONS.name} WHERE namespace = ? AND script = ? AND id = ?`,
      namespace,
      script,
      id.toLowerCase(),
    )
    .toArray();
  return row === undefined ? undefined : toVersion(row);
}

/** The newest version: the one every change builds on. */
export const latestVersion = (ctx: StoreContext, namespace: string, script: string): StoredVersion | undefined =>
  versionsOf(ctx, namespace, script)[0];

/** Stores `record` as the script's next version (call inside the commit's transaction). */
export function addVersion(
  ctx: StoreContext,
  record: ScriptRecord,
  annotations: VersionAnnotations,
  id: string = crypto.randomUUID(),
): StoredVersion {
  const [row] = ctx.sql
    .exec<{ last: number | null }>(
      `SELECT MAX(number) AS last FROM ${VERSIONS.name} WHERE namespace = ? AND script = ?`,
      record.namespace,
      record.name,
    )
    .toArray();
  const version: VersionRow = {
    namespace: record.namespace,
    script: record.name,
    id,
    number: (row?.last ?? 0) + 1,
    created_on: record.modified_on,
    annotations: JSON.stringify(annotations),
    record: JSON.stringify(toRow({ ...record, tags: [] })),
  };
  insertRow(ctx.sql, VERSIONS, version);
  return toVersion(version);
}

/** Whether a version of the script already runs as `etag`: its module bodies are then in SCRIPT_MODULES. */
export const etagInUse = ({ sql }: StoreContext, namespace: string, script: string, etag: string): boolean =>
  sql
    .exec(
      `SELECT 1 FROM ${VERSIONS.name} WHERE namespace = ? AND script = ? AND json_extract(record, '$.etag') = ? LIMIT 1`,
      namespace,
      script,
      etag,
    )
    .toArray().length > 0;

/** Every version's modules (each script's etag once): what deleting the script, or its namespace, leaves to delete from R2. */
export function versionModules(ctx: StoreContext, namespace: string, script?: string): ScriptVersion[] {
  const rows = ctx.sql
    .exec<{ script: string; record: string }>(
      `SELECT script, record FROM ${VERSIONS.name} WHERE namespace = ?${script === undefined ? "" : " AND script = ?"}`,
      ...(script === undefined ? [namespace] : [namespace, script]),
    )
    .toArray();
  const byEtag = new Map<string, ScriptVersion>();
  for (const row of rows) {
    const record = JSON.parse(row.record) as { etag: string; version: string };
    byEtag.set(`${row.script}@${record.etag}`, JSON.parse(record.version) as ScriptVersion);
  }
  return [...byEtag.values()];
}
