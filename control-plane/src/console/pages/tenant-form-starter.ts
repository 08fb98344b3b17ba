import { TENANT_HEADER } from "../../../../dispatcher/src/tenant-request";
import type { TenantScriptSource } from "../../../../platform/tenants-api";

/**
 * The code a tenant created from the console with "the starter" gets. The template
 * (user-worker-template/) cannot be offered as such: it is TypeScript with npm imports, which
 * `wfp` bundles with wrangler on the operator's machine, and a Worker cannot bundle at request
 * time. So the console deploys this one module instead, which answers `GET /` as the template's
 * greeting route does (its GREETING var, the tenant it runs for), and 404 elsewhere; the operator
 * deploys the template later with `wfp deploy user-worker-template --tenant <id>`.
 */
const STARTER_MODULE = `// A tenant's first Worker, from the operator console's starter.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/") {
      return Response.json({ error: { code: "not_found", message: "no route for " + url.pathname } }, { status: 404 });
    }
    return Response.json({
      greeting: env.GREETING ?? null,
      tenant: request.headers.get(${JSON.stringify(TENANT_HEADER)}),
    });
  },
};
`;

export const STARTER_SCRIPT: TenantScriptSource = {
  mainModule: "index.js",
  modules: { "index.js": STARTER_MODULE },
};
