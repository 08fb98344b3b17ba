import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { kvNamespaceBinding } from "../../src/namespace/bindings/kv";
import { cases } from "./kv.cases.js";
import casesSource from "./kv.cases.js?raw";
import { runCases } from "./run-cases.js";
import { runInTenant } from "./tenant-harness";

declare global {
  namespace Cloudflare {
    interface Env {
      REAL_KV: KVNamespace;
    }
    interface Exports {
      TenantKv: (options: { props: { namespaceId: string } }) => Fetcher;
    }
  }
}

let real: Record<string, unknown>;
let tenant: Record<string, unknown>;

beforeAll(async () => {
  const namespaceId = crypto.randomUUID().replaceAll("-", "");
  real = await runCases(cases, env.REAL_KV);
  const client = kvNamespaceBinding.client;
  if (client === undefined) throw new Error("the KV binding ships a client");
  tenant = await runInTenant({
    casesSource,
    client,
    binding: exports.TenantKv({ props: { namespaceId } }),
  });
});

describe("a tenant's KV binding answers as the real one", () => {
  it.each(cases.map((c) => c.name))("%s", (name) => {
    expect(tenant[name]).toEqual(real[name]);
  });
});
