import { env } from "cloudflare:test";
import { it } from "vitest";
import { cases } from "./d1.cases.js";
import { runCases } from "./run-cases.js";

it("probe", async () => {
  const r = await runCases(cases, (env as unknown as { REAL_DB: D1Database }).REAL_DB);
  console.log(`RESULTS${JSON.stringify(r)}RESULTS`);
});
