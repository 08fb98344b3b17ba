import type { CloudflareClient } from "../cloudflare/client";

/**
 * The table wrangler keeps applied migrations in (`wrangler d1 migrations
 * apply`), so a tenant developing with wrangler and the control plane agree
 * on what has run.
 */
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/**
 * Applies, in name order, the migrations the database has not recorded. Each
 * one runs in a batch with its record, which D1 runs as one transaction: a
 * retried step never applies a migration twice.
 */
export async function applyD1Migrations(
  api: CloudflareClient,
  databaseId: string,
  migrations: Readonly<Record<string, string>>,
): Promise<string[]> {
  const names = Object.keys(migrations).sort();
  if (names.length === 0) return [];
  await api.d1.query(databaseId, MIGRATIONS_TABLE);
  const [applied] = await api.d1.query(databaseId, "SELECT name FROM d1_migrations");
  const done = new Set((applied?.results ?? []).map((row) => String((row as { name: unknown }).name)));
  const ran: string[] = [];
  for (const name of names) {
    if (done.has(name)) continue;
    await api.d1.query(databaseId, {
      batch: [
        { sql: migrations[name] as string },
        { sql: "INSERT INTO d1_migrations (name) VALUES (?)", params: [name] },
      ],
    });
    ran.push(name);
  }
  return ran;
}
