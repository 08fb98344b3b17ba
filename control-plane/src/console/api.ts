import type { ExecutionContext } from "hono";
import type { z } from "zod";
import { ErrorBody } from "../../../platform/tenants-api";
import { CONSOLE_USER_AGENT } from "../api/created-by";
import { configOf } from "../config";
import type { Env } from "../env";

/** The control plane's own fetch (app.ts passes `app.fetch`), so the console cannot import the app it is part of. */
export type ApiFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

export type ApiError = ErrorBody["error"] & { status: number };
export type ApiResult<T> = { ok: true; status: number; value: T } | { ok: false; error: ApiError };

/**
 * The console's way to do anything: a request to `/v1` through the very same app (its
 * validation, rules, operations and audit notes; `createdBy` says `console`), made in process
 * with the operators' token, which never leaves the Worker. Answers are checked against the
 * API's own schemas.
 */
export class ConsoleApi {
  readonly #fetch: ApiFetch;
  readonly #env: Env;
  readonly #ctx: ExecutionContext;
  /** The console's own origin: the API is the same Worker. */
  readonly #origin: string;

  constructor(fetch: ApiFetch, env: Env, ctx: ExecutionContext, origin: string) {
    this.#fetch = fetch;
    this.#env = env;
    this.#ctx = ctx;
    this.#origin = origin;
  }

  /** A GET whose failure is the caller's to show (a 404 for a tenant that is gone, say). */
  get<S extends z.ZodType>(path: string, schema: S): Promise<ApiResult<z.output<S>>> {
    return this.call("GET", path, schema);
  }

  /** `body` is sent as JSON, or as it is when it is already a FormData (multipart). */
  async call<S extends z.ZodType>(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<ApiResult<z.output<S>>> {
    const headers = new Headers();
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers.set("content-type", "application/json");
      payload = JSON.stringify(body);
    }
    const response = await this.#send(method, path, headers, payload);
    const json: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.ok) return { ok: true, status: response.status, value: schema.parse(json) };
    return { ok: false, error: errorOf(response.status, json) };
  }

  /**
   * A WebSocket route of `/v1` (a tenant's live logs): its socket, for the console to re-serve
   * in a form the browser can open with its session (the browser never holds the token).
   */
  async webSocket(path: string): Promise<ApiResult<WebSocket>> {
    const response = await this.#send("GET", path, new Headers({ upgrade: "websocket" }));
    if (response.status === 101 && response.webSocket !== null) {
      return { ok: true, status: 101, value: response.webSocket };
    }
    return { ok: false, error: errorOf(response.status, await response.json().catch(() => null)) };
  }

  #send(method: string, path: string, headers: Headers, body?: BodyInit): Promise<Response> {
    headers.set("authorization", `Bearer ${configOf(this.#env).platformApiToken}`);
    headers.set("user-agent", CONSOLE_USER_AGENT);
    const request = new Request(new URL(path, this.#origin), { method, headers, body: body ?? null });
    return Promise.resolve(this.#fetch(request, this.#env, this.#ctx));
  }
}

/** The API's error answer, or a plain one when it is not in the API's shape. */
function errorOf(status: number, json: unknown): ApiError {
  const error = ErrorBody.safeParse(json);
  if (error.success) return { ...error.data.error, status };
  return { status, code: "internal_error", message: `the API answered ${status}` };
}
