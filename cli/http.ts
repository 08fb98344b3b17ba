import type { z } from "zod";
import { ErrorBody } from "../platform/tenants-api.ts";
import { CliError, EXIT } from "./errors.ts";

/** Where the control plane is and who is calling: flags, else environment, else the local defaults. */
export type Connection = { url: URL; token: string };

const REQUEST_TIMEOUT_MS = 60_000;
/** How wfp names itself to the control plane (control-plane/src/api/created-by.ts reads the prefix). */
const USER_AGENT = "wfp-cli/1";

export type Call = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  /** Sent as JSON, or as multipart/form-data when it is a FormData (fetch writes its boundary). */
  body?: unknown;
};

/**
 * One call to the control plane, its answer parsed with the contract's schema.
 * Every way it can go wrong becomes a CliError: a 4xx error body (exit 1), a
 * 5xx, no answer, or an answer the contract does not describe (exit 3). The
 * request body is never part of an error: it may hold secrets.
 */
export async function callApi<T extends z.ZodType>(connection: Connection, call: Call, schema: T): Promise<z.infer<T>> {
  const url = new URL(call.path, connection.url);
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const where = `${call.method} ${url.pathname}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: call.method,
      headers: {
        authorization: `Bearer ${connection.token}`,
        accept: "application/json",
        // The control plane notes versions and deployments made through wfp as the CLI's.
        "user-agent": USER_AGENT,
        ...(call.body === undefined || call.body instanceof FormData ? {} : { "content-type": "application/json" }),
      },
      body: encode(call.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (error) {
    throw new CliError(
      EXIT.unreachable,
      "unreachable",
      `cannot reach the control plane at ${connection.url.origin} (${where}): ${causeOf(error)}`,
    );
  }
  const text = await response.text().catch(() => "");
  const json = parseJson(text);
  if (!response.ok) throw errorFromAnswer(response.status, json, where);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new CliError(
      EXIT.unreachable,
      "bad_response",
      `${where} answered ${response.status} with a body the API contract does not describe: ${firstIssue(parsed.error)}`,
      { status: response.status },
    );
  }
  return parsed.data;
}

function encode(body: unknown): FormData | string | undefined {
  if (body === undefined || body instanceof FormData) return body;
  return JSON.stringify(body);
}

function errorFromAnswer(status: number, json: unknown, where: string): CliError {
  const body = ErrorBody.safeParse(json);
  const exitCode = status >= 500 ? EXIT.unreachable : EXIT.apiError;
  if (!body.success) {
    // Not the control plane's error shape: most likely --url points somewhere else.
    return new CliError(
      EXIT.unreachable,
      "bad_response",
      `${where} answered HTTP ${status} without the API's error body (is --url the control plane?)`,
      { status },
    );
  }
  const { code, message, details } = body.data.error;
  return new CliError(exitCode, code, message, { status, details: details ?? [] });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

/** fetch() says "fetch failed"; why (ECONNREFUSED, a timeout, DNS) is in its cause. */
function causeOf(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code !== undefined) return cause.code;
  if (cause?.message !== undefined) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
