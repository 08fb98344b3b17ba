// What the tests add to the Worker's generated Env (vitest.config.ts binds it).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
