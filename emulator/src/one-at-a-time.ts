/** How often a waiting piece looks for a free slot. */
const POLL_MS = 2;

/**
 * A queue of async work, at most `limit` pieces running at once: each piece
 * starts once a running one has settled, whether it succeeded or failed.
 *
 * A waiting piece looks for a free slot on a timer of its own rather than
 * being woken by the piece that frees it: workerd cancels a request that waits
 * on a promise only another request can resolve once nothing of its own is
 * pending ("your Worker's code had hung"), which it does as soon as the running
 * piece waits on I/O of its request's (a runner's startup check, say). Pieces
 * that wait start in no set order.
 */
export function atMostAtOnce(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  return async (work) => {
    while (running >= limit) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    running++;
    try {
      return await work();
    } finally {
      running--;
    }
  };
}

/** A queue of async work run one after another. */
export const oneAtATime = () => atMostAtOnce(1);
