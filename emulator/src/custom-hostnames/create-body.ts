import { z } from "zod";
import {
  type CustomHostnameCreateBody,
  CustomHostnameEditBody,
  CustomHostnameSslRequest,
  CustomMetadata,
} from "../../../cloudflare-api/custom-hostname-requests";
import { DcvMethod } from "../../../cloudflare-api/custom-hostnames";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { describeZodError } from "../http/body";
import { ApiError } from "../http/errors";

const refuse = (code: number, message: string) => new ApiError(400, code, message);

/**
 * The `ssl` of a create or edit, checked in the order Cloudflare's documented codes distinguish:
 * not an object (1434), method or type missing (1440), a method it does not issue with (1432; the
 * emulator has no email validation), a type other than dv (1433), other bad fields (1434).
 */
function sslOf(raw: unknown): CustomHostnameSslRequest {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw refuse(ErrorCode.sslAttributeInvalid, "The SSL attribute is invalid.");
  }
  const fields = raw as Record<string, unknown>;
  if (fields.method === undefined || fields.type === undefined) {
    throw refuse(ErrorCode.dcvMethodAndTypeRequired, "Both validation type and validation method are required.");
  }
  if (!DcvMethod.safeParse(fields.method).success) {
    throw refuse(
      ErrorCode.dcvMethodUnsupported,
      "The validation method is not supported. Only http or txt are accepted.",
    );
  }
  if (fields.type !== "dv")
    throw refuse(ErrorCode.dcvTypeUnsupported, "The validation type is not supported. Only 'dv' is accepted.");
  const parsed = CustomHostnameSslRequest.safeParse(raw);
  if (!parsed.success)
    throw refuse(ErrorCode.sslAttributeInvalid, `The SSL attribute is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function metadataOf(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const parsed = CustomMetadata.safeParse(raw);
  if (!parsed.success) throw refuse(ErrorCode.customHostnameBadJson, "custom_metadata must be an object of strings.");
  return parsed.data;
}

const objectOf = (value: unknown): Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw refuse(ErrorCode.customHostnameBadJson, "Unable to decode the JSON request body.");
  }
  return value as Record<string, unknown>;
};

/** A create body: the hostname is checked apart (hostname-rules.ts), as it needs the zone. */
export function createBodyOf(value: unknown): CustomHostnameCreateBody {
  const body = objectOf(value);
  const hostname = z.string().safeParse(body.hostname);
  if (!hostname.success)
    throw refuse(ErrorCode.customHostnameInvalid, "Invalid custom hostname: hostname is required.");
  return { hostname: hostname.data, ssl: sslOf(body.ssl), custom_metadata: metadataOf(body.custom_metadata) };
}

/** An edit body: every field optional, each checked as on create. */
export function editBodyOf(value: unknown): CustomHostnameEditBody {
  const body = objectOf(value);
  const rest = CustomHostnameEditBody.pick({ custom_origin_server: true }).safeParse(body);
  if (!rest.success) throw refuse(ErrorCode.customHostnameInvalid, "Invalid custom origin server.");
  return {
    ...rest.data,
    ssl: body.ssl === undefined ? undefined : sslOf(body.ssl),
    custom_metadata: metadataOf(body.custom_metadata),
  };
}
