import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { TENANT_ID } from "../../../platform/routes";
import { ErrorBody, type ErrorCode } from "../../../platform/tenants-api";
import { api, emulatorResourcesOf } from "./support";

type Answer = Awaited<ReturnType<typeof api>>;

const controlPlane = (exports as unknown as { default: Fetcher }).default;

/** A request with no Authorization header at all (api() always sends one). */
export async function anonymous(method: string, path: string, body?: string) {
  const response = await controlPlane.fetch(`http://control-plane${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, text, headers: response.headers, json };
}

/**
 * The answer is `status` in the API's one error shape with `code`; when a
 * field is given, the message and one of the details name it.
 */
export function expectError(
  answer: Pick<Answer, "status" | "text"> & { json: unknown },
  status: number,
  code: ErrorCode,
  field?: string,
): ErrorBody["error"] {
  expect(answer.status, answer.text).toBe(status);
  const parsed = ErrorBody.strict().safeParse(answer.json);
  expect(parsed.success, `not the error shape: ${answer.text}`).toBe(true);
  const error = (answer.json as ErrorBody).error;
  expect(error.code, answer.text).toBe(code);
  if (field !== undefined) {
    expect(error.message, answer.text).toContain(field);
    expect(
      error.details?.some(
        (detail) => detail.path === field || detail.path.endsWith(`.${field}`) || detail.path.startsWith(`${field}.`),
      ),
      `no detail names ${field}: ${answer.text}`,
    ).toBe(true);
  }
  return error;
}

/**
 * The registry does not know the tenant, and the emulator holds nothing in
 * its name. (An id the API refuses cannot be looked up: the GET is a 400.)
 */
export async function expectNothingCreated(id: string): Promise<void> {
  const got = await api("GET", `/v1/tenants/${id}`);
  if (TENANT_ID.test(id)) expect(got.status, got.text).toBe(404);
  else expectError(got, 400, "invalid_request", "id");
  expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false, customHostnames: [] });
}
