import { comparePriority, type Ranked } from "./call-priority";

/**
 * The calls waiting for a slot of the API budget, kept in the order they are
 * to be served (call-priority.ts's `comparePriority`). A sorted array: the
 * line is at most a few thousand calls long (one per caller waiting), so a
 * binary search and a splice are cheaper than a heap's bookkeeping, and a
 * caller that gives up is taken out as easily as the first is served.
 */
export class WaitingLine<T extends Ranked> {
  readonly #entries: T[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /** Places `entry` after every entry served before it, or equal to it. */
  add(entry: T): void {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePriority(this.#entries[middle] as T, entry) <= 0) low = middle + 1;
      else high = middle;
    }
    this.#entries.splice(low, 0, entry);
  }

  /** Every entry, in the order they are to be served. */
  entries(): readonly T[] {
    return [...this.#entries];
  }

  /** The entry to serve next, left in the line. */
  first(): T | undefined {
    return this.#entries[0];
  }

  /** Takes the entry to serve next out of the line. */
  shift(): T | undefined {
    return this.#entries.shift();
  }

  /** Takes `entry` out of the line; false when it was not in it (served already, or removed). */
  remove(entry: T): boolean {
    const index = this.#entries.indexOf(entry);
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    return true;
  }
}
