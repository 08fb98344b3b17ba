import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { runSql, type SqlOutcome } from "./sql/run";

/** A data point as Workers Analytics Engine stores it. */
export interface DataPoint {
  dataset: string;
  script: string;
  timestamp: number;
  indexes: string[];
  blobs: (string | null)[];
  doubles: number[];
}

/**
 * Analytics Engine data points written by tenant workers (and by the
 * dispatcher, whose METRICS is bound here locally), one object per account:
 * queried with the SQL API's subset (sql/), and the newest served through
 * /__emulator/analytics.
 */
export class AnalyticsStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS points (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, dataset TEXT NOT NULL, script TEXT NOT NULL, timestamp INTEGER NOT NULL,
      indexes TEXT NOT NULL, blobs TEXT NOT NULL, doubles TEXT NOT NULL)`);
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS points_by_dataset ON points (dataset, seq)");
  }

  record(point: DataPoint): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO points (dataset, script, timestamp, indexes, blobs, doubles) VALUES (?, ?, ?, ?, ?, ?)",
      point.dataset,
      point.script,
      point.timestamp,
      JSON.stringify(point.indexes),
      JSON.stringify(point.blobs),
      JSON.stringify(point.doubles),
    );
  }

  /** The newest `limit` points of a dataset, oldest first. */
  read(dataset: string, limit: number): DataPoint[] {
    return this.ctx.storage.sql
      .exec<{ dataset: string; script: string; timestamp: number; indexes: string; blobs: string; doubles: string }>(
        "SELECT * FROM (SELECT * FROM points WHERE dataset = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
        dataset,
        limit,
      )
      .toArray()
      .map((row) => ({
        dataset: row.dataset,
        script: row.script,
        timestamp: row.timestamp,
        indexes: JSON.parse(row.indexes),
        blobs: JSON.parse(row.blobs),
        doubles: JSON.parse(row.doubles),
      }));
  }

  /** One query of the SQL API over this account's points (routes.ts). */
  sql(query: string): SqlOutcome {
    return runSql(this.ctx.storage.sql, query);
  }
}
