// Shipped into every loaded tenant worker. Binding entrypoints answer
// `{ value }` or `{ error }` (bindings/settled.ts) instead of throwing across
// RPC, which would log every tenant mistake as an emulator exception and mark
// the error `remote`; the clients rethrow here, in the tenant's own call.
import type { Settled } from "../../bindings/settled.ts";

/** Error classes the runtime throws, rebuilt by name. */
const ERROR_TYPES = { Error, TypeError, RangeError, SyntaxError, ReferenceError };

/**
 * The entrypoint answers `{ value }` or `{ error }` (settled.ts): the value is
 * given back, the error rethrown here, in the tenant's own call, as the
 * runtime threw it.
 */
export async function unsettled<T>(answer: Promise<Settled<T>>): Promise<T> {
  const settled = await answer;
  if ("value" in settled) return settled.value;
  const { name, message, domException } = settled.error;
  if (domException) throw new DOMException(message, name);
  const Type = ERROR_TYPES[name as keyof typeof ERROR_TYPES];
  if (Type !== undefined) throw new Type(message);
  const error = new Error(message);
  error.name = name;
  throw error;
}
