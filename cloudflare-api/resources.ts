import { z } from "zod";

/**
 * Request and response bodies of the KV, R2 and D1 management APIs, shared by
 * the emulator (which answers with them) and the control plane (which sends
 * and parses them). Request schemas keep unknown fields out rather than
 * refusing them, as the real API ignores fields it does not know.
 */

// Workers KV namespaces.

export const KV_LIST_PER_PAGE = { min: 5, max: 100, default: 20 } as const;

export const KvNamespace = z.object({
  id: z.string(),
  title: z.string(),
  supports_url_encoding: z.boolean().optional(),
});
export type KvNamespace = z.infer<typeof KvNamespace>;

export const KvNamespaceTitle = z
  .string()
  .min(1, "title must not be empty")
  .max(512, "title is at most 512 characters");

export const KvNamespaceCreateBody = z.object({ title: KvNamespaceTitle });
export type KvNamespaceCreateBody = z.infer<typeof KvNamespaceCreateBody>;

export const KvNamespaceOrder = z.enum(["id", "title"]);
export type KvNamespaceOrder = z.infer<typeof KvNamespaceOrder>;
export const SortDirection = z.enum(["asc", "desc"]);
export type SortDirection = z.infer<typeof SortDirection>;

// R2 buckets.

export const R2_LIST_PER_PAGE = { min: 1, max: 1000, default: 20 } as const;

export const R2Location = z.enum(["apac", "eeur", "enam", "weur", "wnam", "oc"]);
export type R2Location = z.infer<typeof R2Location>;
export const R2StorageClass = z.enum(["Standard", "InfrequentAccess"]);
export type R2StorageClass = z.infer<typeof R2StorageClass>;

export const R2Bucket = z.object({
  name: z.string(),
  creation_date: z.string(),
  location: R2Location.optional(),
  storage_class: R2StorageClass.optional(),
});
export type R2Bucket = z.infer<typeof R2Bucket>;

/** The bucket name is checked separately, so a bad name gets R2's own "not valid" answer. */
export const R2BucketCreateBody = z.object({
  name: z.string(),
  locationHint: z
    .string()
    .transform((hint) => hint.toLowerCase())
    .pipe(R2Location)
    .optional(),
  storageClass: R2StorageClass.optional(),
});
export type R2BucketCreateBody = z.infer<typeof R2BucketCreateBody>;

/** List Buckets answers `{buckets: [...]}`, not a bare array (the SDK's BucketListResponse). */
export const R2BucketList = z.object({ buckets: z.array(R2Bucket) });
export type R2BucketList = z.infer<typeof R2BucketList>;

// D1 databases.

export const D1_LIST_PER_PAGE = { min: 10, max: 10000, default: 1000 } as const;

export const D1LocationHint = z.enum(["wnam", "enam", "weur", "eeur", "apac", "oc"]);
export type D1LocationHint = z.infer<typeof D1LocationHint>;

/** What List returns for each database; Create and Get add the size fields. */
export const D1DatabaseSummary = z.object({
  uuid: z.string(),
  name: z.string(),
  created_at: z.string(),
  version: z.string(),
});
export type D1DatabaseSummary = z.infer<typeof D1DatabaseSummary>;

export const D1Database = D1DatabaseSummary.extend({
  file_size: z.number(),
  num_tables: z.number(),
});
export type D1Database = z.infer<typeof D1Database>;

/** The name is checked separately, so a bad name gets D1's own answer. */
export const D1DatabaseCreateBody = z.object({
  name: z.string(),
  primary_location_hint: D1LocationHint.optional(),
});
export type D1DatabaseCreateBody = z.infer<typeof D1DatabaseCreateBody>;

/** A bound value. D1 takes JSON scalars; objects and arrays are not bindable. */
export const D1Param = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type D1Param = z.infer<typeof D1Param>;

export const D1Query = z.object({ sql: z.string(), params: z.array(D1Param).optional() });
export type D1Query = z.infer<typeof D1Query>;

/** Either one query (possibly several statements) or a batch run as one transaction. */
export const D1QueryBody = z.union([D1Query, z.object({ batch: z.array(D1Query).min(1) })]);
export type D1QueryBody = z.infer<typeof D1QueryBody>;

export const D1QueryMeta = z.object({
  served_by: z.string(),
  served_by_primary: z.boolean(),
  timings: z.object({ sql_duration_ms: z.number() }),
  duration: z.number(),
  changes: z.number(),
  last_row_id: z.number(),
  changed_db: z.boolean(),
  size_after: z.number(),
  rows_read: z.number(),
  rows_written: z.number(),
});
export type D1QueryMeta = z.infer<typeof D1QueryMeta>;

export const D1Value = z.union([z.string(), z.number(), z.null(), z.array(z.number())]);
export type D1Value = z.infer<typeof D1Value>;

export const D1Rows = z.object({ columns: z.array(z.string()), rows: z.array(z.array(D1Value)) });
export type D1Rows = z.infer<typeof D1Rows>;

/** One statement's result from `/query`: rows as objects keyed by column. */
export const D1QueryResult = z.object({
  results: z.array(z.record(z.string(), D1Value)),
  success: z.literal(true),
  meta: D1QueryMeta,
});
export type D1QueryResult = z.infer<typeof D1QueryResult>;

/** One statement's result from `/raw`: column names once, rows as arrays. */
export const D1RawResult = z.object({ results: D1Rows, success: z.literal(true), meta: D1QueryMeta });
export type D1RawResult = z.infer<typeof D1RawResult>;
