import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

// The migrations the control plane applies to every tenant's database, read
// here in Node and applied in workerd by test/apply-migrations.ts.
const migrations = await readD1Migrations(here("./migrations"));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: here("./wrangler.toml") },
      miniflare: {
        // The secret the platform would bind; locally it comes from .dev.vars.
        bindings: { API_TOKEN: "test-api-token", TEST_MIGRATIONS: migrations },
      },
    }),
  ],
  test: {
    name: "user-worker-template",
    root: here("."),
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/apply-migrations.ts"],
  },
});
