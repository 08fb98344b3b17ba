import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date.ts";
import { CustomHostnameView } from "../../../platform/custom-hostname-view.ts";
import { type LogEvent, LogPage, LogQuery } from "../../../platform/tenant-logs.ts";
import {
  CreateTenantRequest,
  EmptyRequest,
  type ErrorBody,
  type ErrorCode,
  ListTenantsQuery,
  type OperationKind,
  PutScriptQuery,
  PutScriptRequest,
  PutSecretRequest,
  TenantList,
  TenantView,
  UpdateTenantRequest,
} from "../../../platform/tenants-api.ts";
import { fakeAssets, type UploadedPart } from "./fake-assets.ts";
import { fakeRollouts } from "./fake-rollouts.ts";
import { fakeVersions } from "./fake-versions.ts";

/**
 * A stand-in for the control plane, in the test's process, that keeps the
 * contract strictly: every request body and query is parsed with the
 * contract's request schemas (a 400 invalid_request naming each field
 * otherwise), every answer with its response schemas before it is sent.
 *
 * Operations progress one step per read: queued, running, then succeeded (or
 * failed, for tenants whose id starts with `fail-`; never, for `stuck-`).
 * Rollouts settle one tenant per read, the canary first (fake-rollouts.ts). `injectNext` makes the next call
 * answer whatever a test needs (a 5xx, an off-contract body).
 *
 * Static assets (fake-assets.ts): `POST /v1/assets/missing` and `POST /v1/assets` (multipart, each
 * part checked against its hash), held by hash for every tenant; a script naming a file not held
 * is refused. `assetUploads` has the parts of every upload, one list per request.
 *
 * Logs: `addLogs` files events for a tenant, which `GET /v1/tenants/{id}/logs` pages as the control
 * plane does. The live route (`…/logs/live`, a WebSocket) is recorded in `liveRequests` and then
 * refused (401, 404, else 502 `logs_unavailable`, as when the tail Worker is down): no WebSocket
 * server library is a dependency here, so `--follow` is tested up to the socket, not through it.
 */
export type RecordedRequest = { method: string; path: string; body: unknown };

type Tenant = z.infer<typeof TenantView>;

export type FakeControlPlane = {
  readonly url: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Secret values as received, by tenant and name: what the CLI sent, to compare. */
  readonly secretValues: Map<string, string>;
  /** The parts of each `POST /v1/assets`, in order. */
  readonly assetUploads: readonly UploadedPart[][];
  /** The WebSocket upgrades asked for (`wfp logs --follow`), with the Authorization header each carried. */
  readonly liveRequests: { path: string; authorization: string | undefined }[];
  /** Files events (ids given in order) for a tenant. */
  addLogs(tenant: string, events: Omit<LogEvent, "id">[]): LogEvent[];
  injectNext(status: number, body: string, contentType?: string): void;
  /**
   * The tenant's `customHostnames`, one list per read of the tenant (the last one kept): how
   * the control plane's checks move them from pending to live (or failed) between reads.
   */
  setCustomHostnames(tenant: string, reads: CustomHostnameView[][]): void;
  reset(): void;
  close(): Promise<void>;
};

const TOKEN = "test-operator-token";

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

export async function startFakeControlPlane(): Promise<FakeControlPlane> {
  const tenants = new Map<string, Tenant>();
  const requests: RecordedRequest[] = [];
  const secretValues = new Map<string, string>();
  const logs = new Map<string, LogEvent[]>();
  const customHostnames = new Map<string, CustomHostnameView[][]>();
  /** The tenant's custom hostnames at this read: the next list queued for it, or the last. */
  const readCustomHostnames = (id: string): CustomHostnameView[] => {
    const reads = customHostnames.get(id) ?? [];
    const current = (reads.length > 1 ? reads.shift() : reads[0]) ?? [];
    return parse(z.array(CustomHostnameView), current);
  };
  const liveRequests: { path: string; authorization: string | undefined }[] = [];
  let nextEventId = 1;
  let injected: { status: number; body: string; contentType: string } | undefined;
  let clock = Date.parse("2026-11-01T00:00:00Z");
  /** A clock a second further on each read: every change has a later time than the one before. */
  const now = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };

  const refuse = (status: number, code: ErrorCode, message: string): never => {
    throw new Refusal(status, code, message);
  };
  /** The tenants a rollout's filter selects, in id order. */
  const selectTenants = (filter: { plan?: string; tenants?: string[] }) =>
    [...tenants.values()]
      .filter((t) => (filter.plan === undefined || t.plan === filter.plan) && (filter.tenants?.includes(t.id) ?? true))
      .map((t) => t.id)
      .sort();
  const rollouts = fakeRollouts(selectTenants, now);
  const versions = fakeVersions(now, refuse, parse);
  const assets = fakeAssets(refuse, parse);

  const operation = (kind: OperationKind) => {
    const at = now();
    return {
      id: `op-${requests.length}`,
      kind,
      state: "queued" as const,
      step: null,
      attempts: 0,
      error: null,
      createdAt: at,
      updatedAt: at,
    };
  };

  /** One step of the tenant's operation, as a read of it observes. */
  const advance = (tenant: Tenant): Tenant | undefined => {
    const op = tenant.operation;
    if (op === null || tenant.id.startsWith("stuck-")) return tenant;
    const at = now();
    if (op.state === "queued")
      return { ...tenant, operation: { ...op, state: "running", step: "upload", attempts: 1, updatedAt: at } };
    if (tenant.id.startsWith("fail-")) {
      const error = { code: "upstream_error", message: "the Cloudflare API answered 500", at };
      return { ...tenant, state: "failed", lastError: error, operation: null, updatedAt: at };
    }
    if (op.kind === "delete") return undefined;
    return {
      ...tenant,
      state: tenant.state === "provisioning" ? "active" : tenant.state,
      operation: null,
      updatedAt: at,
    };
  };

  const findTenant = (id: string) => {
    const tenant = tenants.get(id);
    if (tenant === undefined) throw new Refusal(404, "not_found", `no tenant "${id}"`);
    return tenant;
  };

  const mutate = (id: string, kind: OperationKind, change: Partial<Tenant> = {}) => {
    const tenant = { ...findTenant(id), ...change, operation: operation(kind), updatedAt: now() };
    tenants.set(id, tenant);
    return [202, TenantView.parse(tenant)] as const;
  };

  const handle = (method: string, url: URL, body: unknown, userAgent = ""): readonly [number, unknown] => {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== "v1") throw new Refusal(404, "not_found", `no route ${url.pathname}`);
    const [, resource, id, sub, name] = parts;
    if (resource === "tenants" && id === undefined) {
      if (method === "POST") {
        const request = parse(CreateTenantRequest, body);
        assets.check(request.script?.assets);
        if (tenants.has(request.id)) throw new Refusal(409, "conflict", `tenant "${request.id}" exists`);
        if (request.hostnames.includes("taken.example.com")) {
          throw new Refusal(409, "hostname_taken", "taken.example.com belongs to another tenant");
        }
        for (const [secret, value] of Object.entries(request.secrets))
          secretValues.set(`${request.id}/${secret}`, value);
        const at = now();
        const tenant: Tenant = {
          id: request.id,
          plan: request.plan,
          state: "provisioning",
          hostnames: [`${request.id}.platform.test`, ...request.hostnames],
          customHostnames: [],
          resources: { kv: null, r2: null, d1: null },
          script: null,
          vars: request.vars,
          secrets: Object.keys(request.secrets),
          lastError: null,
          pending: null,
          operation: operation("provision"),
          createdAt: at,
          updatedAt: at,
        };
        tenants.set(tenant.id, tenant);
        return [202, TenantView.parse(tenant)];
      }
      if (method === "GET") {
        const query = parse(ListTenantsQuery, Object.fromEntries(url.searchParams));
        const all = [...tenants.values()].filter(
          (t) =>
            (query.state === undefined || t.state === query.state) &&
            (query.plan === undefined || t.plan === query.plan),
        );
        const start = query.cursor === undefined ? 0 : Number(query.cursor);
        const page = all.slice(start, start + query.limit);
        const next = start + query.limit < all.length ? String(start + query.limit) : null;
        return [200, TenantList.parse({ tenants: page, cursor: next })];
      }
      throw new Refusal(405, "method_not_allowed", `${method} is not allowed here`);
    }
    if (resource === "tenants" && id !== undefined && sub === "custom-hostnames" && parts[5] === "check") {
      if (method !== "POST") throw new Refusal(405, "method_not_allowed", `${method} is not allowed here`);
      parse(EmptyRequest, body);
      const view = findTenant(id) === undefined ? undefined : readCustomHostnames(id).find((v) => v.hostname === name);
      if (view === undefined) throw new Refusal(404, "not_found", `tenant "${id}" has no custom hostname ${name}`);
      return [200, view];
    }
    if (resource === "tenants" && id !== undefined && sub === undefined) {
      if (method === "GET") {
        const tenant = advance(findTenant(id));
        if (tenant === undefined) {
          tenants.delete(id);
          throw new Refusal(404, "not_found", `no tenant "${id}"`);
        }
        tenants.set(id, tenant);
        return [200, { ...TenantView.parse(tenant), customHostnames: readCustomHostnames(id) }];
      }
      if (method === "PATCH") {
        const { suspended, ...change } = parse(UpdateTenantRequest, body);
        const state =
          suspended === undefined ? {} : { state: suspended ? ("suspended" as const) : ("active" as const) };
        return mutate(id, "update", { ...change, ...state });
      }
      if (method === "DELETE") return mutate(id, "delete", { state: "deleting" });
      throw new Refusal(405, "method_not_allowed", `${method} is not allowed here`);
    }
    if (resource === "tenants" && id !== undefined && sub === "logs" && name === undefined && method === "GET") {
      findTenant(id);
      const { limit, before, outcome } = parse(LogQuery, Object.fromEntries(url.searchParams));
      const matching = (logs.get(id) ?? [])
        .filter((e) => (before === undefined || e.id < before) && (outcome === undefined || e.outcome === outcome))
        .sort((a, b) => b.id - a.id);
      const events = matching.slice(0, limit);
      const next = matching.length > limit ? (events.at(-1)?.id ?? null) : null;
      return [200, LogPage.parse({ events, next })];
    }
    if (resource === "tenants" && id !== undefined && sub === "versions" && method === "GET") {
      findTenant(id);
      return [200, versions.list(id, Object.fromEntries(url.searchParams))];
    }
    if (resource === "tenants" && id !== undefined && sub === "deployments" && method === "POST") {
      findTenant(id);
      versions.deploy(id, body);
      return mutate(id, "deployment");
    }
    if (resource === "tenants" && id !== undefined && sub === "rollback" && method === "POST") {
      findTenant(id);
      versions.rollback(id, body);
      return mutate(id, "deployment");
    }
    if (resource === "tenants" && id !== undefined && sub === "script" && name === undefined && method === "PUT") {
      const { message, crons, ...script } = parse(PutScriptRequest, body);
      const { deploy } = parse(PutScriptQuery, Object.fromEntries(url.searchParams));
      findTenant(id);
      assets.check(script.assets);
      if (deploy === "false" && crons !== undefined) {
        throw new Refusal(400, "invalid_request", "crons: cron triggers run the deployed version", [
          { path: "crons", message: "cron triggers run the deployed version" },
        ]);
      }
      versions.upload(id, {
        deploy: deploy === "true",
        message,
        createdBy: userAgent.startsWith("wfp-cli/") ? "cli" : "api",
      });
      const had = findTenant(id).script?.durableObjects;
      const deleted = new Set(script.deletedDurableObjectClasses ?? []);
      const bindings = script.durableObjects ?? {};
      const classes = [...new Set([...(had?.classes ?? []), ...Object.values(bindings)])].filter(
        (c) => !deleted.has(c),
      );
      const changed = classes.join() !== (had?.classes ?? []).join();
      return mutate(id, "deploy", {
        script: {
          name: id,
          etag: null,
          uploadedAt: null,
          compatibilityDate: script.compatibilityDate ?? COMPATIBILITY_DATE,
          durableObjects: {
            bindings,
            classes: classes.sort(),
            migrationTag: changed ? `v${requests.length}` : (had?.migrationTag ?? null),
          },
          // Absent: the tenant's crons stay, as the control plane keeps them.
          crons: crons ?? findTenant(id).script?.crons ?? [],
        },
      });
    }
    if (resource === "tenants" && id !== undefined && sub === "secrets" && name !== undefined) {
      const tenant = findTenant(id);
      if (method === "PUT") {
        const { value } = parse(PutSecretRequest, body);
        secretValues.set(`${id}/${name}`, value);
        return mutate(id, "put_secret", { secrets: [...new Set([...tenant.secrets, name])] });
      }
      if (method === "DELETE") {
        if (!tenant.secrets.includes(name))
          throw new Refusal(404, "not_found", `tenant "${id}" has no secret "${name}"`);
        return mutate(id, "delete_secret", { secrets: tenant.secrets.filter((s) => s !== name) });
      }
    }
    if (resource === "assets" && id === "missing" && method === "POST") return [200, assets.missing(body)];
    if (resource === "rollouts" && id === undefined && method === "POST") return [202, rollouts.create(body, parse)];
    if (resource === "rollouts" && id !== undefined && sub === undefined && method === "GET") {
      return [200, rollouts.get(id, refuse)];
    }
    if (resource === "rollouts" && id !== undefined && sub === "resume" && method === "POST") {
      return [202, rollouts.resume(id, body, parse, refuse)];
    }
    if (resource === "rollouts" && id !== undefined && sub === "rollback" && method === "POST") {
      return [202, rollouts.rollback(id, body, parse, refuse)];
    }
    throw new Refusal(404, "not_found", `no route ${method} ${url.pathname}`);
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const contentType = req.headers["content-type"] ?? "";
    const multipart = contentType.startsWith("multipart/");
    const body = raw.length === 0 ? undefined : multipart ? "(multipart)" : safeJson(raw.toString("utf8"));
    requests.push({ method: req.method ?? "", path: url.pathname + url.search, body });
    if (injected !== undefined) {
      const { status, body: text, contentType } = injected;
      injected = undefined;
      res.writeHead(status, { "content-type": contentType }).end(text);
      return;
    }
    try {
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        throw new Refusal(401, "unauthorized", "a valid bearer token is required");
      if (req.method === "POST" && url.pathname === "/v1/assets") {
        send(res, 200, await assets.upload(contentType, raw));
        return;
      }
      const [status, answer] = handle(req.method ?? "GET", url, body, req.headers["user-agent"]);
      send(res, status, answer);
    } catch (error) {
      if (!(error instanceof Refusal)) {
        send(res, 500, errorBody("internal_error", (error as Error).message));
        return;
      }
      send(res, error.status, errorBody(error.code, error.message, error.details));
    }
  });
  // A WebSocket upgrade (the live logs): recorded, then refused as the control plane would refuse it.
  server.on("upgrade", (req: IncomingMessage, socket) => {
    const url = new URL(req.url ?? "/", "http://fake");
    liveRequests.push({ path: url.pathname, authorization: req.headers.authorization });
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const known = parts.length === 5 && parts[3] === "logs" && parts[4] === "live" && tenants.has(parts[2] ?? "");
    const [status, code, message] =
      req.headers.authorization !== `Bearer ${TOKEN}`
        ? [401, "unauthorized", "a valid bearer token is required"]
        : !known
          ? [404, "not_found", `no tenant "${parts[2]}"`]
          : [502, "logs_unavailable", "the logs service could not be reached (opening the live logs)"];
    const body = JSON.stringify(errorBody(code as ErrorCode, message));
    socket.end(
      `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: TOKEN,
    requests,
    secretValues,
    assetUploads: assets.uploads,
    liveRequests,
    addLogs(tenant, events) {
      const filed = events.map((event) => ({ ...event, id: nextEventId++ }));
      logs.set(tenant, [...(logs.get(tenant) ?? []), ...filed]);
      return filed;
    },
    injectNext(status, body, contentType = "application/json") {
      injected = { status, body, contentType };
    },
    setCustomHostnames(tenant, reads) {
      customHostnames.set(tenant, [...reads]);
    },
    reset() {
      tenants.clear();
      customHostnames.clear();
      rollouts.clear();
      versions.clear();
      assets.clear();
      requests.length = 0;
      secretValues.clear();
      logs.clear();
      liveRequests.length = 0;
      nextEventId = 1;
      injected = undefined;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  throw new Refusal(400, "invalid_request", "the request is invalid", details);
}

function errorBody(code: ErrorCode, message: string, details?: { path: string; message: string }[]): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
