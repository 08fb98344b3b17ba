/** How a call fails, as "Name: message" ("no error" when it does not). Some real binding errors are thrown at once rather than rejected. */
export async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "no error";
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
