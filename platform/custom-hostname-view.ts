import { z } from "zod";

/**
 * A tenant's own domain as the `/v1` API shows it (`customHostnames` of a tenant): a Cloudflare
 * for SaaS custom hostname on the platform's zone, with exactly what the tenant must publish for
 * Cloudflare to validate it. Statuses are Cloudflare's own words, passed on as it reports them.
 */

/** One record to publish: a DNS TXT record, or a body served at an HTTP URL. */
export const HostnameRecord = z.discriminatedUnion("type", [
  z.object({ type: z.literal("txt"), name: z.string().min(1), value: z.string().min(1) }),
  z.object({ type: z.literal("http"), url: z.string().min(1), body: z.string().min(1) }),
]);
export type HostnameRecord = z.infer<typeof HostnameRecord>;

export const CustomHostnameView = z.object({
  hostname: z.string().min(1),
  /** The custom hostname's status (`pending`, `active`, `moved`, ...). */
  status: z.string().min(1),
  ssl: z.object({
    /** The certificate's status (`initializing`, `pending_validation`, ..., `active`, `validation_timed_out`). */
    status: z.string().min(1),
    /** Domain control validation: what the certificate authority checks. */
    records: z.array(HostnameRecord),
  }),
  /** Proof that the tenant owns the hostname; null once Cloudflare no longer asks for it. */
  ownership: HostnameRecord.nullable(),
  /** Why Cloudflare has not validated it yet, or why it failed. */
  errors: z.array(z.string()),
  /** When the control plane last read it from Cloudflare; null before the first check. */
  checkedAt: z.iso.datetime().nullable(),
  /** When it was first seen active: from then on the dispatcher serves it. */
  liveAt: z.iso.datetime().nullable(),
});
export type CustomHostnameView = z.infer<typeof CustomHostnameView>;

/** Served: the hostname and its certificate are both active. */
export const isLive = (view: CustomHostnameView) => view.status === "active" && view.ssl.status === "active";

/** Statuses Cloudflare does not leave by itself: the hostname needs an operator (or a new one). */
const FINAL_STATUSES = new Set(["moved", "deleted", "blocked", "test_failed"]);

/** Failed for good: a final status, or a certificate whose validation, issuance or deployment timed out. */
export const hasFailed = (view: CustomHostnameView) =>
  FINAL_STATUSES.has(view.status) || view.ssl.status.endsWith("_timed_out") || view.ssl.status === "expired";
