import type { BindingKind } from "../bindings/kind";
import source from "./binding.client.built.js";
import type { ObjectsProps } from "./entrypoint";

/**
 * A Durable Object namespace of one of the script's classes: the loaded
 * worker's env holds the TenantDurableObjects stub for it with the namespace's
 * id beside it (the client makes ids with it), and its client
 * (binding.client.ts) gives the tenant the namespace's API. The namespace id is
 * the script's (`withNamespaceId`, scripts/bindings.ts); the upload refused a
 * binding to a class the script does not have.
 */
export const durableObjectNamespaceBinding: BindingKind = {
  type: "durable_object_namespace",
  toEnv: (binding, exports, scope, etag) => {
    const namespaceId = String(binding.namespace_id);
    const props: ObjectsProps = { scope, namespaceId, etag };
    return { stub: exports.TenantDurableObjects?.({ props }), namespaceId };
  },
  client: { module: "__wfp_durable_objects.js", source },
};
