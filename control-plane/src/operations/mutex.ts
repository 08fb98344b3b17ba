/**
 * One-at-a-time sections inside a Durable Object. The runtime's input gate
 * does not hold across calls to D1 or the Cloudflare API (they are I/O to
 * elsewhere), so two requests to one tenant could otherwise interleave there.
 * Ten lines, so written here rather than taken from a library.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(section, section);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
