import type { BindingInput, Migrations } from "../../cloudflare-api/script-metadata.ts";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { TENANT_MAIN_MODULE, tenantSource } from "./tenant-script.ts";

/** The emulator's REST API for one account, as any Cloudflare API client calls it. */
export type Api = { baseUrl: string; token: string; accountId: string };

type Envelope = { success: boolean; errors: { code: number; message: string }[] };

async function call(api: Api, method: string, path: string, body: BodyInit, signal: AbortSignal): Promise<void> {
  const url = `${api.baseUrl}/client/v4/accounts/${api.accountId}${path}`;
  const res = await fetch(url, {
    method,
    body,
    headers: {
      authorization: `Bearer ${api.token}`,
      ...(typeof body === "string" ? { "content-type": "application/json" } : {}),
    },
    signal,
  });
  const text = await res.text();
  let envelope: Envelope | undefined;
  try {
    envelope = JSON.parse(text) as Envelope;
  } catch {
    // Not the API's envelope: the body itself says what went wrong.
  }
  if (!res.ok || envelope?.success !== true) {
    const errors = envelope?.errors?.map((e) => `${e.code} ${e.message}`).join("; ") ?? text.slice(0, 300);
    throw new Error(`${method} ${path}: HTTP ${res.status} ${errors}`);
  }
}

export function createNamespace(api: Api, name: string, signal: AbortSignal): Promise<void> {
  return call(api, "POST", "/workers/dispatch/namespaces", JSON.stringify({ name }), signal);
}

/** A module upload's parts: its ES modules (path → source), the main one, and what its metadata binds and migrates. */
export type ModuleUpload = {
  mainModule: string;
  modules: Record<string, string>;
  bindings?: BindingInput[];
  migrations?: Migrations;
};

/** Uploads a script as a multipart module upload, as wrangler does. */
export function uploadModules(
  api: Api,
  namespace: string,
  script: string,
  { mainModule, modules, bindings, migrations }: ModuleUpload,
  signal: AbortSignal,
): Promise<void> {
  const form = new FormData();
  const metadata = {
    main_module: mainModule,
    compatibility_date: COMPATIBILITY_DATE,
    ...(bindings === undefined ? {} : { bindings }),
    ...(migrations === undefined ? {} : { migrations }),
  };
  form.set("metadata", new Blob([JSON.stringify(metadata)], { type: "application/json" }));
  for (const [name, source] of Object.entries(modules)) {
    form.set(name, new Blob([source], { type: "application/javascript+module" }), name);
  }
  return call(api, "PUT", `/workers/dispatch/namespaces/${namespace}/scripts/${script}`, form, signal);
}

/** Uploads one tenant script (answering its own name) as a multipart module upload, as wrangler does. */
export function uploadTenantScript(api: Api, namespace: string, script: string, signal: AbortSignal): Promise<void> {
  const upload = { mainModule: TENANT_MAIN_MODULE, modules: { [TENANT_MAIN_MODULE]: tenantSource(script) } };
  return uploadModules(api, namespace, script, upload, signal);
}
