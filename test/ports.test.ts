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
});
