import { it } from "vitest";
import { createNamespace, upload, HELLO } from "./scripts-helpers";
import { resultOf } from "./helpers";

it("bench uploads", async () => {
  const ns = await createNamespace("bench");
  const big = `const table = ${JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, s: "v" + i })))};\nexport default { fetch() { return new Response(String(table.length)); } };`;
  for (const [label, code] of [["hello", HELLO], ["big", big]] as const) {
    for (let i = 0; i < 5; i++) await resultOf(await upload(ns, `w-${label}`, { main_module: "index.js" }, { "index.js": { code: code + `//${i}` } }));
    const n = 40;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await resultOf(await upload(ns, `w-${label}`, { main_module: "index.js" }, { "index.js": { code: code + `//x${i}` } }));
    console.log("BENCH", label, code.length, ((Date.now(), performance.now()) - t0) / n, "ms/upload");
  }
}, 120000);
