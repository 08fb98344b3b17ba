import { expect } from "vitest";
import type { CustomHostnameView } from "../../../platform/custom-hostname-view";
import type { TenantView } from "../../../platform/tenants-api";
import { eventually } from "./eventually";
import { api, emulator } from "./support";

/** The tenant's custom hostname `hostname`, as GET shows it; null while it has none. */
export async function customHostnameOf(id: string, hostname: string): Promise<CustomHostnameView | null> {
  const tenant = (await api("GET", `/v1/tenants/${id}`)).json as TenantView;
  return tenant.customHostnames.find((view) => view.hostname === hostname) ?? null;
}

/** Publishes what the view asks for in the emulator's DNS and HTTP table, as the tenant would. */
export async function publishRecords(view: CustomHostnameView): Promise<void> {
  for (const record of [...view.ssl.records, ...(view.ownership === null ? [] : [view.ownership])]) {
    const published =
      record.type === "txt"
        ? await emulator("PUT", `/__emulator/dns/${record.name}`, { txt: [record.value] })
        : await emulator("PUT", `/__emulator/http?url=${encodeURIComponent(record.url)}`, { body: record.body });
    expect(published.status).toBe(200);
  }
}

/** Publishes the tenant's records for `hostname` and waits until the control plane has seen it live. */
export async function makeLive(id: string, hostname: string): Promise<CustomHostnameView> {
  const view = await eventually(() => customHostnameOf(id, hostname));
  await publishRecords(view);
  return eventually(async () => {
    const seen = await customHostnameOf(id, hostname);
    return seen?.liveAt ? seen : null;
  });
}
