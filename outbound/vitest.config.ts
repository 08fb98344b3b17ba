import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { INTERNET } from "./test/internet.ts";

// The outbound Worker as `npm run dev` runs it, its fetch() going to a
// stand-in "Internet" that echoes what reaches it.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.local.toml" },
      miniflare: { outboundService: INTERNET.name, workers: [INTERNET] },
    }),
  ],
  test: {
    name: "outbound",
    include: ["test/**/*.test.ts"],
  },
});
