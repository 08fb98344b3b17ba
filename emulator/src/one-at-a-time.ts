/**
 * A queue of async work, at most `limit` pieces running at once: each piece
 * starts once a running one has settled, whether it succeeded or failed.
 */
export function atMostAtOnce(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= limit) await new Promise<void>((start) => waiting.push(start));
    else running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` counts it throughout.
      const next = waiting.shift();
      if (next === undefined) running--;
      else next();
    }
  };
}

/** A queue of async work run one after another. */
export const oneAtATime = () => atMostAtOnce(1);
