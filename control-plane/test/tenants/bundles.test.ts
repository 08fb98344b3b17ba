import { describe, expect, it } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { acceptedLately, noteAccepted } from "../../src/scripts/accepted-code";
import { loadBundle, PARSED_BUNDLES_BYTES, parsedBundlesKept, storeBundle } from "../../src/scripts/bundles";
import { testEnv } from "./support";

// Bundles are kept by the SHA-256 of their canonical form: the same script is one key whatever its
// keys' order, and what changes how it is uploaded (its assets: absent, null, a manifest) changes the key.

const CODE: ScriptSource = {
  mainModule: "index.js",
  modules: { "index.js": 'export default { fetch: () => new Response("x") };' },
};
const entry = (digit: string, size: number) => ({ hash: digit.repeat(32), size });

describe("script bundles", () => {
  it("keep assets: absent (keep the tenant's) and null (none) are two bundles, each read back as it was", async () => {
    const absent = await storeBundle(testEnv.SCRIPTS, CODE);
    const none = await storeBundle(testEnv.SCRIPTS, { ...CODE, assets: null });
    const some = await storeBundle(testEnv.SCRIPTS, { ...CODE, assets: { manifest: { "/a.txt": entry("a", 1) } } });
    expect(new Set([absent, none, some]).size).toBe(3);
    expect(Object.hasOwn(await loadBundle(testEnv.SCRIPTS, absent), "assets")).toBe(false);
    expect((await loadBundle(testEnv.SCRIPTS, none)).assets).toBeNull();
    expect((await loadBundle(testEnv.SCRIPTS, some)).assets).toEqual({ manifest: { "/a.txt": entry("a", 1) } });
  });

  it("one manifest in another order is the same bundle; another setting is another", async () => {
    const manifest = { "/b.css": entry("b", 2), "/a.html": entry("a", 1) };
    const reordered = { "/a.html": entry("a", 1), "/b.css": entry("b", 2) };
    const one = await storeBundle(testEnv.SCRIPTS, { ...CODE, assets: { manifest, htmlHandling: "none" } });
    const two = await storeBundle(testEnv.SCRIPTS, { ...CODE, assets: { htmlHandling: "none", manifest: reordered } });
    expect(two).toBe(one);
    const spa = await storeBundle(testEnv.SCRIPTS, {
      ...CODE,
      assets: { manifest, htmlHandling: "none", notFoundHandling: "single-page-application" },
    });
    expect(spa).not.toBe(one);
    expect((await loadBundle(testEnv.SCRIPTS, spa)).assets?.notFoundHandling).toBe("single-page-application");
  });
});

describe("bundles kept parsed in the isolate", () => {
  it("are read back without R2 once stored (a key names one content), frozen, and a key never stored is still missing", async () => {
    const code = { ...CODE, modules: { "index.js": `// ${crypto.randomUUID()}` } };
    const key = await storeBundle(testEnv.SCRIPTS, code);
    // Gone from the bucket (a lifecycle rule, say): the content under that key cannot have changed.
    await testEnv.SCRIPTS.delete(key);
    const kept = await loadBundle(testEnv.SCRIPTS, key);
    expect(kept.modules).toEqual(code.modules);
    expect(Object.isFrozen(kept) && Object.isFrozen(kept.modules)).toBe(true);
    expect(() => {
      (kept.modules as Record<string, unknown>)["index.js"] = "changed";
    }).toThrow(TypeError);
    await expect(loadBundle(testEnv.SCRIPTS, `bundles/${"0".repeat(64)}.json`)).rejects.toThrow(/missing/);
  });

  it("take at most PARSED_BUNDLES_BYTES of the isolate, the one used least lately going first", async () => {
    // Three bundles of 6 MiB each: the three do not fit in 16 MiB together.
    const large = () => ({
      ...CODE,
      modules: { "index.js": `// ${crypto.randomUUID()}\n${"x".repeat(6 * 1024 * 1024)}` },
    });
    const [first, second] = [await storeBundle(testEnv.SCRIPTS, large()), await storeBundle(testEnv.SCRIPTS, large())];
    // The first is used again: now the second is the one used least lately.
    await loadBundle(testEnv.SCRIPTS, first);
    const third = await storeBundle(testEnv.SCRIPTS, large());
    expect(parsedBundlesKept().bytes).toBeLessThanOrEqual(PARSED_BUNDLES_BYTES);
    for (const key of [first, second, third]) await testEnv.SCRIPTS.delete(key);
    // Kept: read without R2. Let go: read from R2, where it is gone now.
    expect((await loadBundle(testEnv.SCRIPTS, first)).mainModule).toBe(CODE.mainModule);
    expect((await loadBundle(testEnv.SCRIPTS, third)).mainModule).toBe(CODE.mainModule);
    await expect(loadBundle(testEnv.SCRIPTS, second)).rejects.toThrow(/missing/);
  });
});

describe("code the API accepted", () => {
  const HOUR = 60 * 60 * 1000;

  it("stands for its bundle at its date, for as long as the limit says", async () => {
    const key = await storeBundle(testEnv.SCRIPTS, { ...CODE, modules: { "index.js": `// ${crypto.randomUUID()}` } });
    expect(await acceptedLately(testEnv.SCRIPTS, key, "2026-11-01", HOUR)).toBe(false);
    await noteAccepted(testEnv.SCRIPTS, key, "2026-11-01");
    expect(await acceptedLately(testEnv.SCRIPTS, key, "2026-11-01", HOUR)).toBe(true);
    // Another date is another check; so is any other bundle.
    expect(await acceptedLately(testEnv.SCRIPTS, key, "2025-06-01", HOUR)).toBe(false);
    expect(await acceptedLately(testEnv.SCRIPTS, await storeBundle(testEnv.SCRIPTS, CODE), "2026-11-01", HOUR)).toBe(
      false,
    );
    // Past the limit, or with the limit at 0, the code is checked again.
    expect(await acceptedLately(testEnv.SCRIPTS, key, "2026-11-01", HOUR, Date.now() + HOUR + 1)).toBe(false);
    expect(await acceptedLately(testEnv.SCRIPTS, key, "2026-11-01", 0)).toBe(false);
  });
});
