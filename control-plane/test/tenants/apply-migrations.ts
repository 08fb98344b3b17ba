import { applyD1Migrations } from "cloudflare:test";
import { testEnv } from "./support";

// The registry's schema, as `wrangler d1 migrations apply` gives it (idempotent: once per test file is fine).
await applyD1Migrations(testEnv.DB, testEnv.REGISTRY_MIGRATIONS);
