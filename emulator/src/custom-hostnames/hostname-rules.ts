import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ApiError } from "../http/errors";

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const invalid = (message: string) => new ApiError(400, ErrorCode.customHostnameInvalid, message);

/**
 * A hostname as the API keeps it (lower case), or a 400 saying why it cannot be a custom hostname:
 * an IP address, a wildcard (only the SSL `wildcard` setting covers subdomains), a name that is not
 * a DNS name of at least two labels, or a name in the platform's own zone (that is a DNS record, not
 * a custom hostname).
 */
export function customHostnameOf(raw: string, zoneName: string): string {
  const hostname = raw.trim().toLowerCase().replace(/\.$/, "");
  if (IPV4.test(hostname) || hostname.includes(":")) throw invalid("Custom hostname cannot be an IP address.");
  if (hostname.includes("*")) throw invalid("Wildcard custom hostnames are not supported; use ssl.wildcard.");
  const labels = hostname.split(".");
  if (hostname.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw invalid(`Custom hostname '${raw.slice(0, 255)}' is not a valid hostname.`);
  }
  if (hostname === zoneName || hostname.endsWith(`.${zoneName}`)) {
    throw invalid("Custom hostname cannot be in the zone it is created on.");
  }
  return hostname;
}
