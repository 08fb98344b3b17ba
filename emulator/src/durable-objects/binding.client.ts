// Shipped into loaded tenant workers: turns the TenantDurableObjects stub
// (entrypoint.ts) into a DurableObjectNamespace. Ids are made here, as the
// runtime makes them, synchronously (ids.ts); every call on an object's stub
// goes to the entrypoint, which reaches the script's own host object.

import { OBJECT_HEADER, type ObjectAddress } from "./address.ts";
import { namedObjectId, objectIdRefusal, uniqueObjectId } from "./ids.ts";

/** The TenantDurableObjects entrypoint as the loaded worker holds it. */
interface NamespaceStub {
  fetch(request: Request): Promise<Response>;
  call(address: ObjectAddress, method: string, args: unknown[]): Promise<unknown>;
}

/** What the emulator puts in the loaded worker's env for the binding (binding.ts). */
interface NamespaceBinding {
  stub: NamespaceStub;
  namespaceId: string;
}

const JURISDICTIONS_UNSUPPORTED = "Jurisdiction restrictions are not implemented in workerd.";

class DurableObjectId {
  readonly #hex: string;
  readonly #namespaceId: string;
  readonly name: string | undefined;

  constructor(namespaceId: string, hex: string, name: string | undefined) {
    this.#namespaceId = namespaceId;
    this.#hex = hex;
    this.name = name;
  }

  toString(): string {
    return this.#hex;
  }

  equals(other: unknown): boolean {
    return other instanceof DurableObjectId && other.#hex === this.#hex;
  }

  /** Whether this id was made by (or for) the namespace `namespaceId`. */
  static of(id: DurableObjectId, namespaceId: string): boolean {
    return id.#namespaceId === namespaceId;
  }
}

/** RPC method names a stub answers itself; every other name is a call on the object. */
const OWN = new Set(["fetch", "id", "name"]);

function objectStub(namespace: NamespaceBinding, id: DurableObjectId): object {
  const address: ObjectAddress = { id: id.toString(), name: id.name ?? null };
  const own = {
    id,
    name: id.name,
    fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const request = new Request(input, init);
      request.headers.set(OBJECT_HEADER, JSON.stringify(address));
      return namespace.stub.fetch(request);
    },
  };
  return new Proxy(own, {
    get(target, property) {
      if (typeof property !== "string") return undefined;
      if (OWN.has(property)) return target[property as keyof typeof target];
      // Not thenable: an awaited stub is the stub, as with the runtime's.
      if (property === "then") return undefined;
      return (...args: unknown[]) => namespace.stub.call(address, property, args);
    },
  });
}

class DurableObjectNamespace {
  readonly #binding: NamespaceBinding;

  constructor(binding: NamespaceBinding) {
    this.#binding = binding;
  }

  idFromName(name: string): DurableObjectId {
    const text = String(name);
    return new DurableObjectId(this.#binding.namespaceId, namedObjectId(this.#binding.namespaceId, text), text);
  }

  idFromString(id: string): DurableObjectId {
    const text = String(id);
    const refusal = objectIdRefusal(this.#binding.namespaceId, text);
    if (refusal !== null) throw new TypeError(refusal);
    return new DurableObjectId(this.#binding.namespaceId, text.toLowerCase(), undefined);
  }

  newUniqueId(options?: { jurisdiction?: string }): DurableObjectId {
    if (options?.jurisdiction !== undefined) throw new Error(JURISDICTIONS_UNSUPPORTED);
    return new DurableObjectId(this.#binding.namespaceId, uniqueObjectId(this.#binding.namespaceId), undefined);
  }

  get(id: DurableObjectId, _options?: unknown): object {
    if (!(id instanceof DurableObjectId) || !DurableObjectId.of(id, this.#binding.namespaceId)) {
      throw new TypeError("Durable Object ID is not valid for this namespace.");
    }
    return objectStub(this.#binding, id);
  }

  getByName(name: string, options?: unknown): object {
    return this.get(this.idFromName(name), options);
  }

  jurisdiction(_jurisdiction: string): DurableObjectNamespace {
    throw new Error(JURISDICTIONS_UNSUPPORTED);
  }
}

export function wrap(binding: unknown): object {
  return new DurableObjectNamespace(binding as NamespaceBinding);
}
