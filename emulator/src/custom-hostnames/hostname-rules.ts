import { customHostnameRefusal } from "../../../cloudflare-api/custom-hostname-rules";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ApiError } from "../http/errors";

/**
 * A hostname as the API keeps it (lower case), or the documented 400 saying why it cannot be a
 * custom hostname (cloudflare-api/custom-hostname-rules.ts, shared with the control plane, which
 * refuses the same names at its own request).
 */
export function customHostnameOf(raw: string, zoneName: string): string {
  const hostname = raw.trim().toLowerCase().replace(/\.$/, "");
  const refusal = customHostnameRefusal(hostname);
  if (refusal !== null) throw new ApiError(400, refusal.code, refusal.message);
  // Undocumented: a name in the platform's own zone is a DNS record of the zone, not a custom hostname.
  if (hostname === zoneName || hostname.endsWith(`.${zoneName}`)) {
    throw new ApiError(
      400,
      ErrorCode.customHostnameInvalid,
      "Invalid custom hostname. A custom hostname cannot be in the zone it is created on.",
    );
  }
  return hostname;
}
