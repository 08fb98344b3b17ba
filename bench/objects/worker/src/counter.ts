import { DurableObject } from "cloudflare:workers";
import { COUNT_QUERY, countAnswer, objectAnswer } from "../../routes";

/** What the class needs of its Worker: whose it is (the tenant's script name, or "direct"). */
export interface CounterEnv {
  SCRIPT: string;
}

const KEY = "n";

/**
 * The class both paths of the bench run, written once: the front Worker exports
 * it as its own SQLite Durable Object (/direct), and the bench bundles it into
 * every tenant script it uploads (tenant.ts). Each request counts one in the
 * object's storage and answers the script and the object's own name (its id's,
 * as the runtime gives it), so every response proves which object answered.
 */
export class Counter extends DurableObject<CounterEnv> {
  override fetch(request: Request): Response {
    const name = this.ctx.id.name ?? "(no name)";
    const kv = this.ctx.storage.kv;
    const count = kv.get<number>(KEY) ?? 0;
    if (new URL(request.url).searchParams.has(COUNT_QUERY)) {
      return new Response(countAnswer(this.env.SCRIPT, name, count), { headers: { "content-type": "text/plain" } });
    }
    kv.put(KEY, count + 1);
    return new Response(objectAnswer(this.env.SCRIPT, name), { headers: { "content-type": "text/plain" } });
  }
}
