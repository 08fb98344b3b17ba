import { env, exports } from "cloudflare:workers";
import { it } from "vitest";
import { createNamespace, upload, HELLO } from "./scripts-helpers";
import { resultOf, ACCOUNT } from "./helpers";
import { checkStartup } from "../src/namespace/startup-check";

it("bench uploads", async () => {
  const ns = await createNamespace("bench");
  const big = `const table = ${JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, s: "v" + i })))};\nexport default { fetch() { return new Response(String(table.length)); } };`;
  for (const [label, code] of [["hello", HELLO], ["big", big]] as const) {
    for (let i = 0; i < 5; i++) await resultOf(await upload(ns, `w-${label}`, { main_module: "index.js" }, { "index.js": { code: code + `//${i}` } }));
    const n = 100;
    let t0 = performance.now();
    for (let b = 0; b < 10; b++) {
      const pre = b % 2 === 0 ? "nocheck-" : "";
      t0 = performance.now();
      for (let i = 0; i < 20; i++) await resultOf(await upload(ns, `${pre}w-${label}`, { main_module: "index.js" }, { "index.js": { code: code + `//x${b}-${i}` } }));
      console.log("BENCH upload", label, pre || "check", b, (performance.now() - t0) / 20, "ms/upload");
    }
    const body = new TextEncoder().encode(code);
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await checkStartup(env as any, exports as any, { accountId: ACCOUNT as any, namespace: ns, script: "x" },
        { etag: "e", mainModule: "index.js", modules: [{ name: "index.js", type: "application/javascript+module", r2Key: "k" }], compatibilityDate: "2026-11-01", compatibilityFlags: [], bindings: [] },
        [{ name: "index.js", type: "application/javascript+module", body }]);
      if (r) throw new Error(r.message);
    }
    console.log("BENCH check only", label, (performance.now() - t0) / n, "ms/check");
  }
}, 300000);
