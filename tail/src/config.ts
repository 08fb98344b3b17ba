import { z } from "zod";
import { settingsParser } from "../../platform/settings";

const Vars = z.object({
  DISPATCH_NAMESPACE: z.string().min(1),
  LOG_RETENTION_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  LOG_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
});

export interface TailConfig {
  /** Only events of user Workers in this dispatch namespace are filed. */
  readonly namespace: string;
  /** Per tenant, the newest events kept. */
  readonly retentionEvents: number;
  /** Per tenant, events older than this are dropped (milliseconds). */
  readonly retentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The tail Worker's configuration from its vars, parsed once per env; throws, naming the var, when one is wrong. */
export const configOf: (env: object) => TailConfig = settingsParser(
  "tail Worker",
  Vars.transform((vars) => ({
    namespace: vars.DISPATCH_NAMESPACE,
    retentionEvents: vars.LOG_RETENTION_EVENTS,
    retentionMs: vars.LOG_RETENTION_DAYS * DAY_MS,
  })),
);
