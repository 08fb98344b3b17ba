// Types for `cloudflare:test` and `cloudflare:workers` in the emulator's tests.
type EmulatorEnv = import("../src/env").Env;
declare namespace Cloudflare {
  interface Env extends EmulatorEnv {}
  interface Exports {
    default: Fetcher;
  }
}
