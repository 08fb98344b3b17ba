import { describe, expect, it } from "vitest";
import { freePorts, isPortFree } from "../scripts/lib/ports.ts";

describe("freePorts", () => {
  it("hands out distinct free ports below the range the OS gives port-0 binds", async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
      expect(await isPortFree(port)).toBe(true);
    }
  });

  it("never hands out a port it was told to avoid, free as that port may look", async () => {
    const even = Array.from({ length: (32_768 - 20_000) / 2 }, (_, i) => 20_000 + 2 * i);
    const ports = await freePorts(20, even);
    // Were `avoid` ignored, 20 ports all odd would have a chance of 1 in 2^20.
    expect(ports.every((port) => port % 2 === 1)).toBe(true);
  });
});
