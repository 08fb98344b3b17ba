import { OpenAPIHono } from "@hono/zod-openapi";
import { ListOperationsQuery, OperationList } from "../../../../platform/tenants-api";
import { listOperations, stepsOfOperations } from "../../registry/operations";
import { getTenant } from "../../registry/tenants";
import { ApiError } from "../errors";
import { jsonContent, notFoundError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";
import { operationHistoryView } from "../views";
import { TenantParams } from "./tenants";

const listOperationsRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}/operations",
  summary: "A tenant's operations, step by step",
  description:
    "The operations recorded for the tenant's id, newest first, `limit` at a time (pass the answer's `cursor` for older ones; null on the last page); a deleted tenant's too, and those of an earlier tenant of the same id. Each has its steps in the order they first ran: their state, how often each was started (`attempts`), the latest failure (kept after a retry succeeded), and when each first started and last ended. A provisioning that failed for good shows its undoing as `rollback:<step>` steps.",
  request: { params: TenantParams, query: ListOperationsQuery },
  responses: { 200: jsonContent(OperationList, "A page of operations."), ...notFoundError },
});

export const operationRoutes = new OpenAPIHono<AppEnv>().openapi(listOperationsRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { cursor, limit } = c.req.valid("query");
  if ((await getTenant(c.env.DB, id)) === null) throw new ApiError(404, "not_found", `no tenant "${id}"`);
  const rows = await listOperations(c.env.DB, id, {
    ...(cursor === undefined ? {} : { before: Number(cursor) }),
    limit,
  });
  const page = rows.slice(0, limit);
  const steps = await stepsOfOperations(
    c.env.DB,
    page.map((row) => row.operation.id),
  );
  const last = page.at(-1);
  return c.json(
    {
      operations: page.map((row) => operationHistoryView(row.operation, steps.get(row.operation.id) ?? [])),
      // The last operation's place in the registry: the next page is older than it.
      cursor: rows.length > limit && last !== undefined ? String(last.seq) : null,
    },
    200,
  );
});
