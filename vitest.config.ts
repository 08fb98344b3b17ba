import { defineConfig } from "vitest/config";

// One project per worker (each runs in workerd through @cloudflare/vitest-plugin)
// and one for the end-to-end tests that drive real processes from Node.
export default defineConfig({
  test: {
    projects: [
      "emulator/vitest.config.ts",
      "dispatcher/vitest.config.ts",
      "outbound/vitest.config.ts",
      "tail/vitest.config.ts",
      "control-plane/vitest.config.ts",
      "control-plane/vitest.api.config.ts",
      "user-worker-template/vitest.config.ts",
      "test/vitest.config.ts",
    ],
  },
});
