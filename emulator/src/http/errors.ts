import type { ApiMessage } from "../../../cloudflare-api/envelope";
import { ErrorCode } from "../../../cloudflare-api/error-codes";

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 504;

/**
 * An error the API answers with. Thrown anywhere below a route; the app's
 * error handler turns it into the v4 envelope with its HTTP status.
 */
export class ApiError extends Error {
  readonly errors: ApiMessage[];
  constructor(
    readonly status: ErrorStatus,
    code: number,
    message: string,
    extra: Omit<ApiMessage, "code" | "message"> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.errors = [{ code, message, ...extra }];
  }
}

export const noRouteError = () => new ApiError(404, ErrorCode.noRoute, "No route for that URI");

export const methodNotAllowedError = (method: string) =>
  new ApiError(405, ErrorCode.methodNotAllowed, `Method ${method} not allowed for this route`);
