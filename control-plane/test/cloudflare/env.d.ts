// Types for `cloudflare:test` and `cloudflare:workers` in the Cloudflare client's tests.
declare namespace Cloudflare {
  interface Env {
    API_BUDGET: DurableObjectNamespace<import("../../src/cloudflare/budget").ApiBudget>;
    /** The emulator, as the client reaches it. */
    CLOUDFLARE_API: Fetcher;
    /** A second emulator, for faults and the rate limiter. */
    GATED_API: Fetcher;
    CLOUDFLARE_API_TOKEN: string;
    CLOUDFLARE_ACCOUNT_ID: string;
    CLOUDFLARE_API_BASE_URL: string;
    CLOUDFLARE_API_RATE_LIMIT: string;
    CLOUDFLARE_API_RATE_WINDOW_SECONDS: string;
    CLOUDFLARE_API_TIMEOUT_MS: string;
  }
}
