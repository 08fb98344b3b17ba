import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Every test file starts from the schema the control plane gives a new tenant.
// applyD1Migrations skips the ones already recorded, so running it per file is cheap.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
