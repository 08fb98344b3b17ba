import { isApiError } from "./errors";

/**
 * The create half of every product's `ensure`: look up before creating, so a
 * step run again converges instead of creating twice. The create is sent once
 * (it is not idempotent); its "already exists" means an earlier or concurrent
 * create won, and `existing` says what is there: by default, `find` again.
 */
export async function findOrCreate<T>(resource: {
  find(): Promise<T | null>;
  create(): Promise<T>;
  /** The API's code for "already exists". */
  existsCode: number;
  existing?: () => Promise<T | null>;
}): Promise<T> {
  const found = await resource.find();
  if (found !== null) return found;
  try {
    return await resource.create();
  } catch (error) {
    if (!isApiError(error, resource.existsCode)) throw error;
    const existing = await (resource.existing ?? resource.find)();
    if (existing === null) throw error;
    return existing;
  }
}
