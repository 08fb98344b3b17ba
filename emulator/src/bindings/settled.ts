/**
 * What a tenant binding's entrypoint answers: the value, or the error the
 * real binding threw, as data. Thrown across RPC, an error would be logged by
 * the runtime as uncaught in the emulator (for every tenant call that fails,
 * however the tenant handles it) and would reach the tenant marked
 * `remote: true`; as data, the client rethrows it as the runtime threw it.
 * The clients' `unsettled` (dispatch/runtime/settled.client.ts) reads this shape.
 */
export type Settled<T> = { value: T } | { error: { name: string; message: string; domException: boolean } };

export async function settled<T>(call: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    if (!(error instanceof Error)) return { error: { name: "Error", message: String(error), domException: false } };
    return { error: { name: error.name, message: error.message, domException: error instanceof DOMException } };
  }
}
