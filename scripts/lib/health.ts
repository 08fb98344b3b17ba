const POLL_MS = 250;
const ATTEMPT_TIMEOUT_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `url` answers 2xx right now. */
async function answersHealthy(url: URL | string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Polls `url` until it answers 2xx. Fails as soon as the process that should
 * serve it exits, or when `timeoutMs` has passed.
 */
export async function waitForHealth(url: URL, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let exit: { code: number | null } | undefined;
  void exited.then((code) => {
    exit = { code };
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answersHealthy(url)) return;
    if (exit !== undefined) throw new Error(`it exited (code ${exit.code}) before ${url} answered`);
    if (Date.now() >= deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}
