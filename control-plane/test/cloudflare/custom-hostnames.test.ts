import { describe, expect, it } from "vitest";
import { ZoneId } from "../../../cloudflare-api/names";
import { testClient } from "./support";

// The emulator's platform zone (emulator/src/custom-hostnames/zone.ts), as wrangler.local.toml names it.
const ZONE = ZoneId.parse("5aa50000000000000000000000000001");
const hostnameOf = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}.example.com`;

describe("custom hostnames", () => {
  it("ensure creates once and finds it after; delete removes it and a second delete is a no-op", async () => {
    const zone = testClient().customHostnames(ZONE);
    const hostname = hostnameOf("shop");
    expect(await zone.find(hostname)).toBeNull();
    const created = await zone.ensure({ hostname, method: "txt", metadata: { tenant_id: "acme" } });
    expect(created).toMatchObject({ hostname, status: "pending", custom_metadata: { tenant_id: "acme" } });
    const again = await zone.ensure({ hostname, method: "txt", metadata: { tenant_id: "acme" } });
    expect(again.id).toBe(created.id);
    expect((await zone.get(created.id)).hostname).toBe(hostname);
    await zone.delete(created.id);
    expect(await zone.find(hostname)).toBeNull();
    await zone.delete(created.id);
  });

  it("revalidate edits the certificate settings to what they are: the records stay", async () => {
    const zone = testClient().customHostnames(ZONE);
    const created = await zone.ensure({ hostname: hostnameOf("again"), method: "txt" });
    const asked = await zone.revalidate(created.id, "txt");
    expect(asked).toMatchObject({ id: created.id, status: "pending", ssl: { method: "txt" } });
    expect(asked.ownership_verification).toEqual(created.ownership_verification);
    expect(asked.ssl?.validation_records).toEqual(created.ssl?.validation_records);
    await zone.delete(created.id);
  });
});
