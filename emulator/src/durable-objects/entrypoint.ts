import { WorkerEntrypoint } from "cloudflare:workers";
import type { RunScope } from "../bindings/kind";
import { hostName, OBJECT_HEADER, type ObjectAddress, type ObjectTarget, TARGET_HEADER } from "./address";
import type { ObjectHost } from "./host";
import { objectIdRefusal } from "./ids";

/** What the entrypoint needs of the Worker it runs in: the hosts' namespace. */
export interface ObjectsEnv {
  TENANT_OBJECTS: DurableObjectNamespace<ObjectHost<{ LOADER: WorkerLoader }>>;
}

/** Set by the emulator when it builds a loaded worker's env (durable-objects/binding.ts, worker-code.ts); never by a tenant. */
export interface ObjectsProps {
  scope: RunScope;
  /** The binding's namespace; null for the alarm channel, which names the namespace per call. */
  namespaceId: string | null;
  /** The version of the script that holds this stub. */
  etag: string;
}

/** The emulator's own methods on a tenant's object, which a tenant's stub cannot call. */
const isReserved = (method: string) => method.startsWith("__wfp");

/**
 * A tenant's Durable Object namespace, as its worker holds it (wrapped by
 * binding.client.ts), and the channel its objects' alarms go through. Every
 * call reaches the host object of the script in the props, which the emulator
 * set: whatever name or id a tenant uses, it reaches only its own script's
 * objects, of its binding's namespace.
 */
export class TenantDurableObjects extends WorkerEntrypoint<ObjectsEnv, ObjectsProps> {
  /** A stub's `fetch()`: a Fetcher's, so that a WebSocket upgrade passes (JS RPC cannot carry a WebSocket). */
  override async fetch(request: Request): Promise<Response> {
    const address = JSON.parse(request.headers.get(OBJECT_HEADER) ?? "null") as ObjectAddress | null;
    const forwarded = new Request(request);
    forwarded.headers.delete(OBJECT_HEADER);
    forwarded.headers.set(TARGET_HEADER, JSON.stringify(this.#target(address)));
    return this.#host().fetch(forwarded);
  }

  /** A stub's RPC method call. */
  async call(address: ObjectAddress, method: string, args: unknown[]): Promise<unknown> {
    if (typeof method !== "string" || isReserved(method)) {
      throw new TypeError(`The RPC receiver does not implement the method "${String(method)}".`);
    }
    return this.#host().call(this.#target(address), method, args);
  }

  setAlarm(namespaceId: string, objectId: string, at: number): Promise<void> {
    return this.#host().setAlarm(namespaceId, objectId, at);
  }

  getAlarm(namespaceId: string, objectId: string): Promise<number | null> {
    return this.#host().getAlarm(namespaceId, objectId);
  }

  deleteAlarm(namespaceId: string, objectId: string): Promise<void> {
    return this.#host().deleteAlarm(namespaceId, objectId);
  }

  #host() {
    const hosts = this.env.TENANT_OBJECTS;
    return hosts.get(hosts.idFromName(hostName(this.ctx.props.scope)));
  }

  /** The object the stub addresses, in the binding's own namespace; an id of any other is refused. */
  #target(address: ObjectAddress | null): ObjectTarget {
    const { scope, namespaceId, etag } = this.ctx.props;
    if (namespaceId === null) throw new TypeError("not a Durable Object namespace binding");
    if (address === null || typeof address.id !== "string") throw new TypeError("no Durable Object addressed");
    const refusal = objectIdRefusal(namespaceId, address.id);
    if (refusal !== null) throw new TypeError(refusal);
    const name = typeof address.name === "string" ? address.name : null;
    return { scope, etag, namespaceId, id: address.id.toLowerCase(), name };
  }
}
