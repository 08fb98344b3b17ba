import { env } from "cloudflare:test";
import { it } from "vitest";
import { cases } from "./r2.cases.js";
import { runCases } from "./run-cases.js";

it("real", async () => {
  const results = await runCases(cases, (env as unknown as { REAL_BUCKET: R2Bucket }).REAL_BUCKET);
  console.log(`RESULTS${JSON.stringify(results)}RESULTS`);
});
