import { exports } from "cloudflare:workers";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import { emulatorClient, type ScriptUpload } from "../../test/shared/emulator-client";
import { ACCOUNT, acct, call, resultOf } from "./helpers";

export interface TenantScript {
  /** Module name -> source. The first is the main module unless `mainModule` says otherwise. */
  modules: Record<string, string>;
  mainModule?: string;
  bindings?: Record<string, unknown>[];
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  tags?: string[];
  migrations?: ScriptUpload["migrations"];
}

/** The emulator's REST API as the tests set tenants up with it. */
export const emulator = emulatorClient((path, init) => call(acct(path), init));

/** Creates a dispatch namespace through the REST API (a fresh name per call). */
export async function createNamespace(name = `ns-${crypto.randomUUID().slice(0, 8)}`): Promise<string> {
  await resultOf(await emulator.createNamespace(name));
  return name;
}

/** Uploads a script into a namespace through the REST API, as the control plane and wrangler do. */
export async function uploadScript(namespace: string, name: string, script: TenantScript): Promise<{ etag: string }> {
  const res = await emulator.uploadScript(namespace, name, {
    mainModule: script.mainModule ?? Object.keys(script.modules)[0] ?? "index.js",
    modules: script.modules,
    compatibilityDate: script.compatibilityDate ?? COMPATIBILITY_DATE,
    compatibilityFlags: script.compatibilityFlags ?? [],
    // Loosely typed here, checked by scriptUploadForm as the API checks it.
    bindings: (script.bindings ?? []) as unknown as ScriptUpload["bindings"],
    tags: script.tags ?? [],
    ...(script.migrations === undefined ? {} : { migrations: script.migrations }),
  });
  return resultOf<{ etag: string }>(res);
}

export interface DispatchOptions {
  limits?: { cpuMs?: number; subRequests?: number };
  outbound?: Record<string, unknown>;
}

interface NamespaceBinding {
  get(
    name: string,
    args?: Record<string, unknown>,
    options?: DispatchOptions,
  ): { fetch(request: Request): Promise<Response> };
}

/** The namespace as the dispatcher's DISPATCHER binding sees it (the emulator's DispatchNamespace entrypoint). */
export function namespaceBinding(
  namespace: string,
  opts: { outbound?: boolean; accountId?: string; tail?: boolean } = {},
): NamespaceBinding {
  const factory = (exports as unknown as Record<string, (o: { props: unknown }) => NamespaceBinding>).DispatchNamespace;
  if (factory === undefined) throw new Error("the emulator does not export DispatchNamespace");
  return factory({
    props: {
      accountId: opts.accountId ?? ACCOUNT,
      namespace,
      outbound: opts.outbound ?? false,
      tail: opts.tail ?? false,
    },
  });
}

/**
 * Sends one request to a script through the namespace, as the dispatcher does
 * (`get(...).fetch(...)`, pipelined). Awaited here so callers get a native
 * promise: vitest's `rejects` on an RPC promise reports its rejection as
 * unhandled.
 */
export async function dispatch(
  namespace: string,
  script: string,
  request: Request | string,
  options: DispatchOptions = {},
  binding = namespaceBinding(namespace),
): Promise<Response> {
  const req = typeof request === "string" ? new Request(request) : request;
  return await binding.get(script, {}, options).fetch(req);
}
