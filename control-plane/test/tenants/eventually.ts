/**
 * What `read` gives once it gives something other than null, polling; fails
 * after `timeoutMs`. For conditions that come true a little after a request
 * (an operation's step, the dispatcher's route cache), never for timing.
 */
export async function eventually<T>(read: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await read();
    if (seen !== null) return seen;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${read.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
