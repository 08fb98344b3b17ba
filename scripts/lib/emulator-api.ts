/** One call to an emulator's API (its `/client/v4` or `/__emulator` routes): the envelope's `result`. */
export type EmulatorCall = (pathname: string, init?: RequestInit) => Promise<unknown>;

/**
 * Calls to the emulator at `emulatorUrl` (http://127.0.0.1:<port>) with its API token, as a
 * local script or test makes them; a call that fails throws, naming the method, path and status.
 */
export function emulatorApi(emulatorUrl: string, token: string): EmulatorCall {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return async (pathname, init = {}) => {
    const response = await fetch(`${emulatorUrl}${pathname}`, { ...init, headers });
    const body = (await response.json().catch(() => null)) as { success?: boolean; result?: unknown } | null;
    if (!response.ok || body?.success !== true) {
      throw new Error(`${init.method ?? "GET"} ${pathname}: HTTP ${response.status}`);
    }
    return body.result;
  };
}
