import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import { ErrorBody } from "../../../platform/tenants-api";

/** The OpenAPI description of a JSON body, and of the error answers every /v1 route may give. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const errorContent = (description: string) => jsonContent(ErrorBody, description);

export const commonErrors = {
  400: errorContent("The request is invalid: `details` names each field and its problem."),
  401: errorContent("No valid `Authorization: Bearer <PLATFORM_API_TOKEN>`."),
} as const;

export const notFoundError = { 404: errorContent("No such tenant (or rollout).") } as const;
export const conflictError = {
  409: errorContent(
    "The tenant exists with a different definition, is in a state that does not allow this, or a hostname is taken (`hostname_taken`: another tenant's, or a custom hostname the platform's zone has for someone else).",
  ),
} as const;
export const rejectedError = {
  422: errorContent(
    "The Cloudflare API refused the script (its 10021, or 10061 for a Durable Object class the script does not export); the message is the API's.",
  ),
} as const;
export const tooLargeError = { 413: errorContent("The body is over the limit (10 MiB of modules).") } as const;

const security = [{ Bearer: [] }];

/** A /v1 route: it needs the platform's token, and may answer 400 or 401 besides the answers it lists. */
export const v1Route = <const R extends Omit<RouteConfig, "security">>(route: R) =>
  createRoute({ ...route, security, responses: { ...route.responses, ...commonErrors } });

/** A JSON body the route requires. */
export const jsonBody = <T extends z.ZodType>(schema: T, description: string) => ({
  ...jsonContent(schema, description),
  required: true,
});
