import { ErrorCode } from "./error-codes.ts";
import { DNS_LABEL } from "./names.ts";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Top-level domains Cloudflare refuses custom hostnames under (1409). */
export const RESERVED_TLDS: ReadonlySet<string> = new Set(["test", "example", "invalid", "localhost"]);
/** The longest custom hostname the API takes. */
export const MAX_CUSTOM_HOSTNAME_LENGTH = 255;

/** Why the API refuses a hostname: its documented code and message. */
export type CustomHostnameRefusal = { readonly code: number; readonly message: string };

const invalid = (message: string): CustomHostnameRefusal => ({
  code: ErrorCode.customHostnameInvalid,
  message: `Invalid custom hostname. ${message}`,
});

/**
 * Why the Cloudflare API refuses `hostname` (lower case, no trailing dot) as a custom hostname
 * on any zone, as Cloudflare for SaaS documents it (reference/status-codes/custom-hostnames), or
 * null when it takes it. The emulator answers these; the control plane refuses them at the
 * request. One documented refusal is left out on purpose: 1411, hostnames under
 * example.com/.net/.org, which the platform's own tests use as a tenant's domain.
 */
export function customHostnameRefusal(hostname: string): CustomHostnameRefusal | null {
  if (/[\u0080-\uffff]/.test(hostname)) {
    return {
      code: ErrorCode.customHostnameNonAscii,
      message: "Custom hostnames with non-ASCII characters are not supported.",
    };
  }
  if (hostname.length > MAX_CUSTOM_HOSTNAME_LENGTH) {
    return invalid("Custom hostnames have to be smaller than 256 characters in length.");
  }
  if (IPV4.test(hostname) || hostname.includes(":")) return invalid("Custom hostnames cannot be IP addresses.");
  if (hostname.includes("*")) {
    return {
      code: ErrorCode.customHostnameWildcard,
      message: "Custom hostnames with wildcards are not supported for certificates managed by Cloudflare.",
    };
  }
  const labels = hostname.split(".");
  if (labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) {
    return invalid("Custom hostnames cannot contain special characters and need a name and a top-level domain.");
  }
  if (RESERVED_TLDS.has(labels[labels.length - 1] ?? "")) {
    return {
      code: ErrorCode.customHostnameReservedTld,
      message: "Reserved top domain custom hostnames are not supported.",
    };
  }
  return null;
}
