import { z } from "zod";

/** Name rules the real API enforces, shared by the emulator (to refuse) and the control plane (to derive names). */
export const ACCOUNT_ID = /^[0-9a-f]{32}$/;
export const SCRIPT_NAME = /^[a-z0-9_][a-z0-9-_]*$/;
export const SCRIPT_NAME_MAX = 63;
export const R2_BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
export const D1_DATABASE_NAME = /^[a-z0-9][a-z0-9-_]*$/;
export const MAX_TAGS = 8;
/** One DNS label (lower case): what the API's hostnames are made of, and a tenant's subdomain too. */
export const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Total size of all parts of a script upload. */
export const MAX_SCRIPT_UPLOAD_BYTES = 10 * 1024 * 1024;

export const AccountId = z.string().regex(ACCOUNT_ID).brand<"AccountId">();
export type AccountId = z.infer<typeof AccountId>;

/** A zone's id: 32 hex digits, as an account's. */
export const ZoneId = z.string().regex(ACCOUNT_ID).brand<"ZoneId">();
export type ZoneId = z.infer<typeof ZoneId>;

export const ScriptName = z
  .string()
  .max(SCRIPT_NAME_MAX, `script names are at most ${SCRIPT_NAME_MAX} characters`)
  .regex(SCRIPT_NAME, "script names must match ^[a-z0-9_][a-z0-9-_]*$")
  .brand<"ScriptName">();
export type ScriptName = z.infer<typeof ScriptName>;

export const R2BucketName = z.string().regex(R2_BUCKET_NAME).brand<"R2BucketName">();
export type R2BucketName = z.infer<typeof R2BucketName>;

export const D1DatabaseName = z.string().min(1).max(64).regex(D1_DATABASE_NAME).brand<"D1DatabaseName">();
export type D1DatabaseName = z.infer<typeof D1DatabaseName>;

export const KvNamespaceId = z
  .string()
  .regex(/^[0-9a-f]{32}$/)
  .brand<"KvNamespaceId">();
export type KvNamespaceId = z.infer<typeof KvNamespaceId>;

export const D1DatabaseId = z.uuid().brand<"D1DatabaseId">();
export type D1DatabaseId = z.infer<typeof D1DatabaseId>;
