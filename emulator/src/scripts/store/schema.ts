/**
 * WorkersStore's tables, each written once: the CREATE TABLE text, the row
 * type and the INSERT are all derived from the column lists below, so a
 * column cannot be added to one and forgotten in another. Column order is the
 * order of tables already on disk (`CREATE TABLE IF NOT EXISTS` never alters
 * one), so it must not change.
 */

/** The column types used here; a column without NOT NULL may hold null. */
type ColumnType = "TEXT" | "TEXT NOT NULL" | "INTEGER NOT NULL";
type Columns = Readonly<Record<string, ColumnType>>;
type SqlValue<T extends ColumnType> = T extends "INTEGER NOT NULL"
  ? number
  : T extends "TEXT NOT NULL"
    ? string
    : string | null;

export type Row<C extends Columns> = { -readonly [K in keyof C]: SqlValue<C[K]> };

interface Table<C extends Columns> {
  readonly name: string;
  readonly columns: C;
  readonly key: readonly (keyof C & string)[];
}

const table = <C extends Columns>(name: string, columns: C, key: readonly (keyof C & string)[]): Table<C> => ({
  name,
  columns,
  key,
});

/** Key/value settings of the store itself: the HMAC key for secrets in etags. */
export const META = table("meta", { key: "TEXT NOT NULL", value: "TEXT NOT NULL" }, ["key"]);

/** `seq` keeps creation order, in which namespaces are listed. */
export const NAMESPACES = table(
  "namespaces",
  {
    name: "TEXT NOT NULL",
    id: "TEXT NOT NULL",
    created_on: "TEXT NOT NULL",
    modified_on: "TEXT NOT NULL",
    created_by: "TEXT NOT NULL",
    seq: "INTEGER NOT NULL",
  },
  ["name"],
);

/**
 * One row per script: its latest version, which every change builds on (what
 * runs is the active deployment's, DEPLOYMENTS). `tag` is the script's immutable
 * id; `version` (ScriptVersion) and `settings` (ScriptSettingsRecord) are JSON.
 */
export const SCRIPTS = table(
  "scripts",
  {
    namespace: "TEXT NOT NULL",
    name: "TEXT NOT NULL",
    tag: "TEXT NOT NULL",
    etag: "TEXT NOT NULL",
    created_on: "TEXT NOT NULL",
    modified_on: "TEXT NOT NULL",
    migration_tag: "TEXT",
    version: "TEXT NOT NULL",
    settings: "TEXT NOT NULL",
  },
  ["namespace", "name"],
);

/** Script-level tags, kept apart from the version so that changing them makes none. */
export const SCRIPT_TAGS = table(
  "script_tags",
  { namespace: "TEXT NOT NULL", script: "TEXT NOT NULL", tag: "TEXT NOT NULL", position: "INTEGER NOT NULL" },
  ["namespace", "script", "tag"],
);

/**
 * Script-level Cron Triggers, kept apart from the version as tags are (production's schedules
 * are the script's, not a version's). One row per distinct expression; `seq` keeps the order given.
 */
export const SCRIPT_SCHEDULES = table(
  "script_schedules",
  {
    namespace: "TEXT NOT NULL",
    script: "TEXT NOT NULL",
    cron: "TEXT NOT NULL",
    seq: "INTEGER NOT NULL",
    created_on: "TEXT NOT NULL",
    modified_on: "TEXT NOT NULL",
  },
  ["namespace", "script", "cron"],
);

/**
 * Every version of each script, kept until the script is deleted. `number` counts
 * from 1 per script; `record` is the ScriptRecord the version runs as (JSON, tags
 * left out); `annotations` is VersionAnnotations (JSON).
 */
export const VERSIONS = table(
  "versions",
  {
    namespace: "TEXT NOT NULL",
    script: "TEXT NOT NULL",
    id: "TEXT NOT NULL",
    number: "INTEGER NOT NULL",
    created_on: "TEXT NOT NULL",
    annotations: "TEXT NOT NULL",
    record: "TEXT NOT NULL",
  },
  ["namespace", "script", "id"],
);

/**
 * Each script's deployments, the one with the highest `seq` active. `versions`
 * is `[{version_id, percentage}]` (JSON), `annotations` (JSON) the message and trigger.
 */
export const DEPLOYMENTS = table(
  "deployments",
  {
    namespace: "TEXT NOT NULL",
    script: "TEXT NOT NULL",
    id: "TEXT NOT NULL",
    seq: "INTEGER NOT NULL",
    created_on: "TEXT NOT NULL",
    versions: "TEXT NOT NULL",
    annotations: "TEXT NOT NULL",
  },
  ["namespace", "script", "id"],
);

export type NamespaceRow = Row<typeof NAMESPACES.columns>;
export type VersionRow = Row<typeof VERSIONS.columns>;
export type DeploymentRow = Row<typeof DEPLOYMENTS.columns>;
export type ScriptRow = Row<typeof SCRIPTS.columns>;
export type ScheduleRow = Row<typeof SCRIPT_SCHEDULES.columns>;

function createTable(
  sql: SqlStorage,
  { name, columns, key }: { name: string; columns: Columns; key: readonly string[] },
) {
  const defs = Object.entries(columns).map(([column, type]) => `${column} ${type}`);
  sql.exec(`CREATE TABLE IF NOT EXISTS ${name} (${defs.join(", ")}, PRIMARY KEY (${key.join(", ")}))`);
}

export function createTables(sql: SqlStorage): void {
  for (const t of [META, NAMESPACES, SCRIPTS, SCRIPT_TAGS, SCRIPT_SCHEDULES, VERSIONS, DEPLOYMENTS])
    createTable(sql, t);
}

/** Writes one row (replacing the row of the same key), its values named by column. */
export function insertRow<C extends Columns>(sql: SqlStorage, { name, columns }: Table<C>, row: Row<C>): void {
  const names = Object.keys(columns);
  sql.exec(
    `INSERT OR REPLACE INTO ${name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    ...names.map((column) => row[column as keyof C]),
  );
}
