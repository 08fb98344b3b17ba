/**
 * Who a request's version or deployment is noted as made by: `cli` when the
 * `wfp` CLI sent it (its User-Agent), `api` otherwise. The API has one
 * credential, the operators' token, so this says which client was used, not
 * which person; it is a note for the versions list, never a permission.
 */
export function requestCreatedBy(userAgent: string | undefined): "api" | "cli" {
  return userAgent?.startsWith("wfp-cli/") ? "cli" : "api";
}
