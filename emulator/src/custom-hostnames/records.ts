import type { DcvMethod, ValidationRecord } from "../../../cloudflare-api/custom-hostnames";

/** The tokens a custom hostname is created with; what it asks to find published derives from them. */
export type HostnameTokens = { hostname: string; id: string; ownershipToken: string; dcvToken: string };

/** The TXT record that proves the tenant owns the hostname (production's `_cf-custom-hostname.` name). */
export const ownershipTxt = (t: HostnameTokens) => ({
  type: "txt" as const,
  name: `_cf-custom-hostname.${t.hostname}`,
  value: t.ownershipToken,
});

/** A TXT record in the shape the check reads. */
export const asTxtRecord = (txt: { name: string; value: string }): ValidationRecord => ({
  txt_name: txt.name,
  txt_value: txt.value,
});

/** The same proof over HTTP, once the hostname points at the platform. */
export const ownershipHttp = (t: HostnameTokens) => ({
  http_url: `http://${t.hostname}/.well-known/cf-custom-hostname-challenge/${t.id}`,
  http_body: t.ownershipToken,
});

/** The certificate authority's domain control check, for the method asked for. */
export function dcvRecord(t: HostnameTokens, method: DcvMethod): ValidationRecord {
  if (method === "txt") return { txt_name: `_acme-challenge.${t.hostname}`, txt_value: t.dcvToken };
  return {
    http_url: `http://${t.hostname}/.well-known/acme-challenge/${t.dcvToken.slice(0, 22)}`,
    http_body: t.dcvToken,
  };
}

/** What the emulator's DNS and HTTP table holds (filled through /__emulator/dns and /__emulator/http). */
export type Published = { txt: (name: string) => string[]; http: (url: string) => string | null };

/** Whether a record (TXT or HTTP, whichever it names) is published with the value it asks for. */
export function isPublished(record: ValidationRecord, published: Published): boolean {
  if (record.txt_name !== undefined) return published.txt(record.txt_name).includes(record.txt_value ?? "");
  if (record.http_url !== undefined) return published.http(record.http_url) === record.http_body;
  return false;
}
