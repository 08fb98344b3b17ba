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
});
