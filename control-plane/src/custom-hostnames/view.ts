import type { CustomHostname, ValidationRecord } from "../../../cloudflare-api/custom-hostnames";
import type { CustomHostnameView, HostnameRecord } from "../../../platform/custom-hostname-view";
import type { CustomHostnameRow } from "../registry/custom-hostnames";

/** A hostname outside the platform's own domain: a custom hostname on the platform's zone. */
export const isCustomHostname = (hostname: string, platformDomain: string): boolean =>
  hostname !== platformDomain && !hostname.endsWith(`.${platformDomain}`);

/** The record the certificate authority checks, as the tenant publishes it (the method's pair). */
function validationRecord(record: ValidationRecord): HostnameRecord[] {
  if (record.txt_name && record.txt_value) return [{ type: "txt", name: record.txt_name, value: record.txt_value }];
  if (record.http_url && record.http_body) return [{ type: "http", url: record.http_url, body: record.http_body }];
  return [];
}

/** What proves the tenant owns the hostname: the TXT record, else the HTTP token; null once not asked. */
function ownershipRecord(answer: CustomHostname): HostnameRecord | null {
  const txt = answer.ownership_verification;
  if (txt?.name && txt.value) return { type: "txt", name: txt.name, value: txt.value };
  const http = answer.ownership_verification_http;
  if (http?.http_url && http.http_body) return { type: "http", url: http.http_url, body: http.http_body };
  return null;
}

/**
 * The custom hostname as the tenant is shown it, from the API's last answer: exactly what to
 * publish, and why it is not live yet. An active hostname asks for nothing more.
 */
export function customHostnameView(
  hostname: string,
  answer: CustomHostname | null,
  checks: { checkedAt: string | null; liveAt: string | null; failure: string | null },
): CustomHostnameView {
  const status = answer?.status ?? "pending";
  const sslStatus = answer?.ssl?.status ?? "initializing";
  const errors = [
    ...(answer?.verification_errors ?? []),
    ...(answer?.ssl?.validation_errors ?? []).flatMap((error) => (error.message ? [error.message] : [])),
    ...(checks.failure === null ? [] : [checks.failure]),
  ];
  return {
    hostname,
    status,
    ssl: {
      status: sslStatus,
      records: sslStatus === "active" ? [] : (answer?.ssl?.validation_records ?? []).flatMap(validationRecord),
    },
    ownership: answer === null || status === "active" ? null : ownershipRecord(answer),
    errors,
    checkedAt: checks.checkedAt,
    liveAt: checks.liveAt,
  };
}

/** The view of a claim as the registry records it: its last answer and how its checks went. */
export const customHostnameViewOfRow = (row: CustomHostnameRow): CustomHostnameView =>
  customHostnameView(row.hostname, row.custom_hostname, {
    checkedAt: row.checked_at,
    liveAt: row.live_at,
    failure: row.check_failure,
  });
