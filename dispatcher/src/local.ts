import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "./env";

export { default } from "./index";

/**
 * The dispatcher's routing table, offered to the control plane when both run
 * locally (`npm run dev`, the tests). In production both Workers bind the same
 * KV namespace; locally each `wrangler dev` process keeps its own KV store, so
 * the control plane's ROUTES binding is this entrypoint instead, which takes
 * the KVNamespace calls the control plane makes and applies them to the
 * dispatcher's own ROUTES. Only the local config (wrangler.local.toml) uses
 * this module as `main`: production does not expose its table.
 */
export class RoutesTable extends WorkerEntrypoint<Env> {
  get(key: string, type: "text" | "json" = "text"): Promise<unknown> {
    return type === "json" ? this.env.ROUTES.get(key, "json") : this.env.ROUTES.get(key, "text");
  }

  put(key: string, value: string): Promise<void> {
    return this.env.ROUTES.put(key, value);
  }

  delete(key: string): Promise<void> {
    return this.env.ROUTES.delete(key);
  }
}
