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

/** `init` with `Authorization: Bearer <token>` (the API_TOKEN by default), as a writer or an admin sends it. */
export function authorized(init: RequestInit = {}, token: string = env.API_TOKEN): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return { ...init, headers };
}

export const withToken = (token: string = env.API_TOKEN): RequestInit => authorized({}, token);

/** The error of a response that must have failed with `status`, after checking its shape. */
export async function errorOf(res: Response, status: number): Promise<ErrorBody["error"]> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, body }).toEqual({
    status,
    body: { error: { code: expect.any(String), message: expect.any(String) } },
  });
  return body.error;
}
