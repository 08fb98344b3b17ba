import { isApiError } from "./errors";

/**
 * The delete half of every product: a delete answered "not found" (one of
 * `notFoundCodes`) has nothing left to do, so a teardown step run again, or
 * after a delete whose answer was lost, converges instead of failing.
 */
export async function deleteIfPresent(remove: () => Promise<unknown>, ...notFoundCodes: number[]): Promise<void> {
  try {
    await remove();
  } catch (error) {
    if (!isApiError(error, ...notFoundCodes)) throw error;
  }
}
