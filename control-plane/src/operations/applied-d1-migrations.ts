import { z } from "zod";

/** The storage key: one record, of the tenant's current database (a new database starts a new one). */
const KEY = "d1-migrations";

const AppliedRecord = z.object({ databaseId: z.string(), names: z.array(z.string()) });

/**
 * The D1 migrations the control plane has applied to the tenant's database,
 * kept in the tenant's Durable Object (its operations' only writer). A rollout
 * whose bundle brings no new migration then costs no D1 call at all, where
 * asking the database would cost one per tenant. Written only once a
 * migration call has succeeded, and kept per database id, so it never names a
 * migration that database has not had; a record lost (or a database changed
 * outside the control plane) only sends the migrator to its careful path,
 * which asks the database (tenant-d1-migrations.ts).
 */
export class AppliedD1Migrations {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /** The names recorded as applied to this database; none for another one. */
  async of(databaseId: string): Promise<ReadonlySet<string>> {
    const parsed = AppliedRecord.safeParse(await this.#storage.get(KEY));
    return new Set(parsed.success && parsed.data.databaseId === databaseId ? parsed.data.names : []);
  }

  /** Records these as applied to this database, beside what it had. */
  async add(databaseId: string, names: readonly string[]): Promise<void> {
    const had = await this.of(databaseId);
    const record: z.infer<typeof AppliedRecord> = { databaseId, names: [...new Set([...had, ...names])].sort() };
    await this.#storage.put(KEY, record);
  }

  /** The database is gone (a teardown): nothing to remember. */
  async forget(): Promise<void> {
    await this.#storage.delete(KEY);
  }
}
