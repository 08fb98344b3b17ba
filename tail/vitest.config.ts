import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The tail Worker alone, from its own wrangler.toml, with a small retention
// so that pruning by count shows after a few events.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { LOG_RETENTION_EVENTS: "5", LOG_RETENTION_DAYS: "7" } },
    }),
  ],
  test: {
    name: "tail",
    include: ["test/**/*.test.ts"],
  },
});
