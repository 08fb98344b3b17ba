import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { CloudflareClient } from "../cloudflare/client";
import type { D1Statement } from "../cloudflare/d1";
import { isApiError } from "../cloudflare/errors";
import type { AppliedD1Migrations } from "./applied-d1-migrations";

/**
 * The table wrangler keeps applied migrations in (`wrangler d1 migrations
 * apply`), so a tenant developing with wrangler and the control plane agree
 * on what has run. `name` is unique: recording a migration twice fails.
 */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Each migration recorded, then run: in a batch, which D1 runs as one transaction. */
const applying = (migrations: Readonly<Record<string, string>>, names: readonly string[]): D1Statement[] =>
  names.flatMap((name) => [
    { sql: "INSERT INTO d1_migrations (name) VALUES (?)", params: [name] },
    { sql: migrations[name] as string },
  ]);

/**
 * Applies, in name order, the migrations the database has not had; answers
 * their names. Those this tenant's object recorded as applied to this
 * database are skipped without a call (a rollout of code alone costs none).
 *
 * The rest go in one call, optimistically: one batch that makes the
 * migrations table, records each migration and runs it, all one transaction.
 * That is a new database's case (a provisioning: one call). If the database
 * has recorded one of them already (this step's earlier call went through and
 * its answer was lost; the record here was lost; the tenant applied it with
 * wrangler), the insert breaks the name's uniqueness and the whole batch is
 * undone; as it is when a migration itself fails. Then the careful path: read
 * what the database has applied, and apply the rest in one batch (where a
 * failing migration fails the step, with the API's message).
 */
export async function applyD1Migrations(
  api: CloudflareClient,
  databaseId: string,
  migrations: Readonly<Record<string, string>>,
  applied: AppliedD1Migrations,
): Promise<string[]> {
  const known = await applied.of(databaseId);
  const wanted = Object.keys(migrations)
    .sort()
    .filter((name) => !known.has(name));
  if (wanted.length === 0) return [];
  try {
    await api.d1.query(databaseId, [{ sql: MIGRATIONS_TABLE }, ...applying(migrations, wanted)]);
  } catch (error) {
    // Only a statement's failure (the transaction undone) says to look; a call that failed otherwise is retried as a step.
    if (!isApiError(error, ErrorCode.d1QueryError)) throw error;
    const ran = await applyCarefully(api, databaseId, migrations, wanted);
    await applied.add(databaseId, wanted);
    return ran;
  }
  await applied.add(databaseId, wanted);
  return wanted;
}

/** Reads what the database has applied (one call), then applies the rest of `wanted` (one more, if any). */
async function applyCarefully(
  api: CloudflareClient,
  databaseId: string,
  migrations: Readonly<Record<string, string>>,
  wanted: readonly string[],
): Promise<string[]> {
  const [, applied] = await api.d1.query(databaseId, [
    { sql: MIGRATIONS_TABLE },
    { sql: "SELECT name FROM d1_migrations" },
  ]);
  const done = new Set((applied?.results ?? []).map((row) => String((row as { name: unknown }).name)));
  const rest = wanted.filter((name) => !done.has(name));
  if (rest.length > 0) await api.d1.query(databaseId, applying(migrations, rest));
  return rest;
}
