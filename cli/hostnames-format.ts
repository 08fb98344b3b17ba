import { type CustomHostnameView, type HostnameRecord, hasFailed, isLive } from "../platform/custom-hostname-view.ts";

/** One record as the tenant types it into its DNS provider (or serves it): type, name, value. */
export function formatRecord(record: HostnameRecord): string {
  return record.type === "txt" ? `TXT   ${record.name}  ${record.value}` : `HTTP  ${record.url}  ${record.body}`;
}

/** `shop.acme.com  pending  (certificate pending_validation)`: the one-line state of a hostname. */
export function formatHostnameState(view: CustomHostnameView): string {
  const verdict = isLive(view) ? "live" : hasFailed(view) ? "failed" : "not live yet";
  return `${view.hostname}  ${view.status}  (certificate ${view.ssl.status}; ${verdict})`;
}

/**
 * A hostname with what the tenant must publish: the ownership record and the certificate's
 * validation records, until it is live; then when it went live. Errors are Cloudflare's words.
 */
export function formatHostname(view: CustomHostnameView): string {
  const lines = [formatHostnameState(view)];
  if (isLive(view)) {
    lines.push(`  live since ${view.liveAt ?? "(not recorded)"}`);
  } else {
    const records = [...(view.ownership === null ? [] : [view.ownership]), ...view.ssl.records];
    if (records.length > 0) {
      lines.push("  publish:");
      for (const record of records) lines.push(`    ${formatRecord(record)}`);
    }
  }
  for (const error of view.errors) lines.push(`  error: ${error}`);
  lines.push(`  checked ${view.checkedAt ?? "not yet"}`);
  return lines.join("\n");
}

export function formatHostnames(tenantId: string, views: readonly CustomHostnameView[]): string {
  if (views.length === 0) return `tenant ${tenantId} has no custom hostnames`;
  return views.map(formatHostname).join("\n\n");
}
