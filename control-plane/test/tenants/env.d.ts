// Types for `cloudflare:test` and `cloudflare:workers` in the control plane's tests.
type ControlPlaneEnv = import("../../src/env").Env;
declare namespace Cloudflare {
  interface Env extends ControlPlaneEnv {}
  interface Exports {
    default: Fetcher;
  }
}
