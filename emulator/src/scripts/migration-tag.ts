import type { Migrations } from "../../../cloudflare-api/script-metadata";
import { failure, migrationTagMismatch, success, type WorkersResult } from "./errors";

/**
 * A script's Durable Object migration tag after applying the upload
 * metadata's `migrations` (class migrations, not D1's). Like the real API, a
 * change that carries migrations must name the current tag as `old_tag` (none
 * when the script has none yet), so two deployers cannot both apply theirs.
 */
export function nextMigrationTag(
  current: string | null,
  migrations: Migrations | undefined,
): WorkersResult<string | null> {
  if (migrations === undefined) return success(current);
  if ((migrations.old_tag ?? null) !== current) return failure(migrationTagMismatch(current));
  return success(migrations.new_tag ?? current);
}
