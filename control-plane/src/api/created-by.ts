/** The User-Agent the console's in-process calls to `/v1` carry (console/api.ts). */
export const CONSOLE_USER_AGENT = "wfp-console/1";

/**
 * Who a request's version or deployment is noted as made by: `cli` when the
 * `wfp` CLI sent it (its User-Agent), `console` when the operator console did,
 * `api` otherwise. The API has one
 * credential, the operators' token, so this says which client was used, not
 * which person; it is a note for the versions list, never a permission.
 */
export function requestCreatedBy(userAgent: string | undefined): "api" | "cli" | "console" {
  if (userAgent?.startsWith("wfp-cli/")) return "cli";
  return userAgent === CONSOLE_USER_AGENT ? "console" : "api";
}
