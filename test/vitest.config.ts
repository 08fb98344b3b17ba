import { defineConfig } from "vitest/config";

// End-to-end tests: real wrangler processes driven from Node, with clients
// nobody here wrote (the official `cloudflare` SDK, wrangler itself).
export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["**/*.test.ts", "../cli/test/**/*.test.ts"],
    globalSetup: ["./global-setup.ts"],
    // Each file starts wrangler processes; one file at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
