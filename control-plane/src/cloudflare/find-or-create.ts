import { isApiError } from "./errors";

/**
 * The create half of every product's `ensure`: create first, and take the
 * API's "already exists" as the lookup. A new tenant's resource costs one
 * call; only a step run again (after a crash, or a create whose answer was
 * lost) meets "already exists", and then `existing` says what is there: by
 * default, `find`. The create is sent once (it is not idempotent).
 */
export async function createOrFind<T>(resource: {
  create(): Promise<T>;
  find(): Promise<T | null>;
  /** The API's code for "already exists". */
  existsCode: number;
  /** What is there after "already exists", when that needs no lookup (an R2 bucket is its name). */
  existing?: () => Promise<T | null>;
}): Promise<T> {
  try {
    return await resource.create();
  } catch (error) {
    if (!isApiError(error, resource.existsCode)) throw error;
    const existing = await (resource.existing ?? resource.find)();
    if (existing === null) throw error;
    return existing;
  }
}

/**
 * Looks up before creating: for a resource usually there already (the
 * dispatch namespace) or whose lookup decides more than existence (a custom
 * hostname another tenant may hold). A tenant's own resources use
 * `createOrFind`, one call fewer.
 */
export async function findOrCreate<T>(resource: Parameters<typeof createOrFind<T>>[0]): Promise<T> {
  return (await resource.find()) ?? createOrFind(resource);
}
