import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { ErrorBody } from "../src/errors";

/** A request to the Worker through its real fetch handler, as the platform sends one. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`https://tenant.example${path}`, init));
}

export const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const withToken = (token: string = env.API_TOKEN): RequestInit => ({
  headers: { authorization: `Bearer ${token}` },
});

/** The error of a response that must have failed with `status`, after checking its shape. */
export async function errorOf(res: Response, status: number): Promise<ErrorBody["error"]> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, body }).toEqual({
    status,
    body: { error: { code: expect.any(String), message: expect.any(String) } },
  });
  return body.error;
}
