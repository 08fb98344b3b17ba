import { randomBytes } from "node:crypto";
import Cloudflare, { APIError } from "cloudflare";
import { expect, inject } from "vitest";

/** http://127.0.0.1:<port>/client/v4 of the emulator the global setup started. */
export const apiBaseUrl = (): string => `${inject("emulatorUrl")}/client/v4`;
export const apiToken = (): string => inject("emulatorToken");

/** The emulator keeps every account apart, so a fresh account per test file means no shared state. */
export const newAccountId = (): string => randomBytes(16).toString("hex");

/** The official SDK, pointed at the emulator, never retrying (a retry would hide the first answer). */
export function sdk(baseURL = apiBaseUrl(), token = apiToken()): Cloudflare {
  return new Cloudflare({ baseURL, apiToken: token, maxRetries: 0 });
}

/**
 * The SDK's error for a call that should fail, after checking it is the
 * API error with the given HTTP status and first error code.
 */
export async function apiErrorOf(call: Promise<unknown>, status: number, code: number): Promise<APIError> {
  const error = await call.then(
    () => {
      throw new Error(`expected HTTP ${status} (code ${code}), but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(APIError);
  const apiError = error as APIError;
  expect({ status: apiError.status, code: apiError.errors[0]?.code }).toEqual({ status, code });
  return apiError;
}

/** Everything an SDK list yields, across every page it fetches. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const HEX32 = /^[0-9a-f]{32}$/;
