/**
 * Async work taken in turns: in the order it arrives, at most `limit` pieces at
 * once, within one isolate. Written here rather than taken from a library
 * (p-limit and the like) because of two things workerd does to a request:
 *
 * - It cancels a request that waits on a promise only another request can
 *   resolve once nothing of its own is pending ("your Worker's code had hung").
 *   So a waiting piece is never woken by the piece that frees its slot: it
 *   looks for its turn on a timer of its own, the first in line often, the
 *   others less often the further back they are.
 * - It drops a cancelled request's promises without running their `finally`
 *   (a client that goes away mid-request). So a piece that stops looking is
 *   taken out of the line; and, where the work is a request's (`mayVanish`),
 *   a running piece keeps its slot only while it says it still runs, on a
 *   timer of its own that its cancellation stops too. Otherwise each
 *   cancelled request would hold a slot for good.
 */

/** How often the first in line looks for a free slot. */
const FIRST_POLL_MS = 2;
/**
 * How much longer each place further back waits between looks, up to
 * LAST_POLL_MS: 200 waiting pieces look about 2,000 times a second in all,
 * where every one looking each 2 ms would be 100,000 wake-ups of the
 * isolate's one thread.
 */
const POLL_STEP_MS = 5;
const LAST_POLL_MS = 200;
/** How often a running piece says it still runs. */
const KEEP_MS = 250;
/**
 * How long a piece may go without looking (waiting) or saying it runs
 * (running) before it counts as cancelled: well above LAST_POLL_MS and KEEP_MS
 * so a busy isolate's late timers are not taken for cancellations.
 */
export const TURN_STALE_MS = 3_000;

/** One piece of work's place: waiting in line, then running. */
export interface Turn {
  state: "waiting" | "running" | "done";
  /** When it last looked for its turn or said it runs. */
  seenAt: number;
}

export interface TurnsOptions {
  /**
   * Whether a running piece may vanish without finishing (a request's work,
   * which its client can cancel): then its slot is freed once it stops saying
   * it runs. False where two pieces at once would be wrong and nothing cancels
   * one midway (a Durable Object's own queue of changes): a slot is then held
   * until its piece finishes, however long it takes.
   */
  readonly mayVanish: boolean;
  /** The clock (tests set their own). */
  readonly now?: () => number;
}

/**
 * The line and the running pieces, with no timers of its own: `takeTurn` runs
 * work with them; tests drive it directly with a clock of their own.
 */
export class Turns {
  readonly #waiting: Turn[] = [];
  readonly #running = new Set<Turn>();
  readonly mayVanish: boolean;
  private readonly now: () => number;

  constructor(
    readonly limit: number,
    options: TurnsOptions,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a whole number of at least 1, not ${limit}`);
    this.mayVanish = options.mayVanish;
    this.now = options.now ?? Date.now;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running.size;
  }

  /** A new turn, last in line. */
  join(): Turn {
    const turn: Turn = { state: "waiting", seenAt: this.now() };
    this.#waiting.push(turn);
    return turn;
  }

  /**
   * Looks for `turn`'s turn: starts it, and answers true, when a slot is free
   * and it is first in line. Answers its place in line (0 for the first)
   * otherwise.
   */
  tryStart(turn: Turn): true | number {
    const now = this.now();
    turn.seenAt = now;
    if (turn.state !== "waiting") return true;
    this.#forgetStale(now);
    let place = this.#waiting.indexOf(turn);
    // Taken for cancelled while its timer was late: back to the front, where it was.
    if (place < 0) {
      this.#waiting.unshift(turn);
      place = 0;
    }
    if (place > 0 || this.#running.size >= this.limit) return place;
    this.#waiting.shift();
    turn.state = "running";
    this.#running.add(turn);
    return true;
  }

  /** A running turn still runs. */
  keep(turn: Turn): void {
    turn.seenAt = this.now();
    // Taken for cancelled while its timer was late: it holds a slot again.
    if (turn.state === "running") this.#running.add(turn);
  }

  /** `turn` is done (or gives up): out of the line, its slot free. */
  finish(turn: Turn): void {
    turn.state = "done";
    this.#running.delete(turn);
    const place = this.#waiting.indexOf(turn);
    if (place >= 0) this.#waiting.splice(place, 1);
  }

  /** Frees the slots of running turns that stopped saying so (`mayVanish`), and drops the first in line while it stopped looking. */
  #forgetStale(now: number): void {
    if (this.mayVanish)
      for (const turn of this.#running) if (now - turn.seenAt > TURN_STALE_MS) this.#running.delete(turn);
    while (this.#waiting.length > 0 && now - (this.#waiting[0] as Turn).seenAt > TURN_STALE_MS) this.#waiting.shift();
  }
}

/** How long a turn at `place` in line waits before looking again. */
export function pollDelayMs(place: number): number {
  return Math.min(FIRST_POLL_MS + place * POLL_STEP_MS, LAST_POLL_MS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in its turn among `turns`: after every piece that arrived before it has started, with at most
 * `turns.limit` running. `work` may `leave` its turn before it ends, once what is left of it is waiting on
 * someone else (another service's answer): the next piece starts then.
 */
export async function takeTurn<T>(turns: Turns, work: (leave: () => void) => Promise<T>): Promise<T> {
  const turn = turns.join();
  let keeping: ReturnType<typeof setInterval> | undefined;
  const leave = () => {
    if (keeping !== undefined) clearInterval(keeping);
    keeping = undefined;
    turns.finish(turn);
  };
  try {
    for (let look = turns.tryStart(turn); look !== true; look = turns.tryStart(turn)) await sleep(pollDelayMs(look));
    if (turns.mayVanish) keeping = setInterval(() => turns.keep(turn), KEEP_MS);
    return await work(leave);
  } finally {
    leave();
  }
}

/** A function that runs each piece of work given it in its turn, at most `limit` at once, in arrival order. */
export function inTurns(
  limit: number,
  options: TurnsOptions,
): <T>(work: (leave: () => void) => Promise<T>) => Promise<T> {
  const turns = new Turns(limit, options);
  return (work) => takeTurn(turns, work);
}
