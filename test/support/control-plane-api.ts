import { expect } from "vitest";
import type { ErrorBody, TenantView } from "../../platform/tenants-api.ts";
import { platformApiToken } from "../../scripts/lib/platform.ts";

/** One answer of the control plane's API: its status, its text, and that text parsed. */
export type ApiAnswer = { status: number; text: string; json: TenantView & Partial<ErrorBody> };

/** What `read` gives once it is not null, polling (conditions, not timings). */
export async function eventually<T>(read: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await read();
    if (seen !== null) return seen;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `prefix-` and 8 random hex digits: a tenant id or hostname label no other test uses. */
export const unique = (prefix: string): string => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/**
 * The operators' API of a running control plane (`baseUrl` is its
 * http://127.0.0.1:<port>), with the local platform token.
 */
export function controlPlaneApi(baseUrl: string, token = platformApiToken()) {
  async function api(method: string, pathname: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(new URL(pathname, baseUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as ApiAnswer["json"] };
  }

  /** The tenant once no operation of it is queued or running. */
  const settled = (id: string): Promise<TenantView & Partial<ErrorBody>> =>
    eventually(async () => {
      const { json } = await api("GET", `/v1/tenants/${id}`);
      return json.operation === null || !["queued", "running"].includes(json.operation.state) ? json : null;
    });

  /** Creates the tenant `tenant` describes (a POST /v1/tenants body) and waits until it is active. */
  async function onboard(tenant: { id: string } & Record<string, unknown>): Promise<string> {
    const created = await api("POST", "/v1/tenants", tenant);
    expect(created.status, created.text).toBe(202);
    expect((await settled(tenant.id)).state).toBe("active");
    return tenant.id;
  }

  return { api, settled, onboard };
}

export type ControlPlaneApi = ReturnType<typeof controlPlaneApi>;
