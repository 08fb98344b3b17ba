import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { CreateDispatchNamespace } from "../../../../cloudflare-api/script-metadata";
import { parseJsonBody } from "../../http/body";
import { methodNotAllowedError } from "../../http/errors";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import { scripts } from ".";
import { unwrap, workersStore } from "./store-answers";

/** Workers for Platforms dispatch namespaces, and (under each) its scripts. */
export const dispatchNamespaces = new Hono<ApiEnv>();

dispatchNamespaces.get("/", async (c) => ok(c, await workersStore(c).listNamespaces()));

dispatchNamespaces.post("/", async (c) => {
  const { name } = await parseJsonBody(c, CreateDispatchNamespace, ErrorCode.scriptValidationFailed);
  return ok(c, unwrap(await workersStore(c).createNamespace(c.get("accountId"), name)));
});

dispatchNamespaces.get("/:namespace", async (c) =>
  ok(c, unwrap(await workersStore(c).getNamespace(c.req.param("namespace")))),
);

/** Deletes the namespace with every script in it. */
dispatchNamespaces.delete("/:namespace", async (c) =>
  ok(c, unwrap(await workersStore(c).deleteNamespace(c.get("accountId"), c.req.param("namespace")))),
);

dispatchNamespaces.route("/:namespace/scripts", scripts);

for (const path of ["/", "/:namespace"]) {
  dispatchNamespaces.all(path, (c) => {
    throw methodNotAllowedError(c.req.method);
  });
}
