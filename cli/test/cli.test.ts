import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorBody, RolloutView, TenantList, TenantView } from "../../platform/tenants-api.ts";
import { freePorts } from "../../scripts/lib/ports.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// The real `wfp` process against a stand-in control plane that keeps the
// API contract (see support/fake-control-plane.ts).
let fake: FakeControlPlane;
const SECRET = "s3cr3t-value-never-printed";
const TEMPLATE_DIR = path.join(REPO_ROOT, "user-worker-template");

beforeAll(async () => {
  fake = await startFakeControlPlane();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const wfp = (args: readonly string[], stdin?: string) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token }, stdin });

/** A port nothing listens on: connections to it are refused. */
const closedPort = async () => (await freePorts(1))[0] as number;

async function createTenant(id: string, ...more: string[]): Promise<void> {
  const run = await wfp(["tenants", "create", id, "--plan", "free", "--wait", ...more]);
  expect(run.code, explain(run)).toBe(0);
}

describe("tenants", () => {
  it("create sends the contract's body and prints the accepted tenant", async () => {
    const run = await wfp([
      "tenants",
      "create",
      "acme",
      "--plan",
      "pro",
      "--hostname",
      "shop.acme.com",
      "--var",
      "GREETING=hi=there",
      "--no-r2",
    ]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.at(-1)).toEqual({
      method: "POST",
      path: "/v1/tenants",
      body: {
        id: "acme",
        plan: "pro",
        hostnames: ["shop.acme.com"],
        vars: { GREETING: "hi=there" },
        resources: { kv: true, r2: false, d1: true },
      },
    });
    expect(run.stdout).toContain("tenant acme");
    expect(run.stdout).toMatch(/state\s+provisioning/);
    expect(run.stderr).toContain("accepted: provision queued (pass --wait to wait for it)");
  });

  it("--json prints only the TenantView on stdout", async () => {
    const run = await wfp(["tenants", "create", "acme", "--plan", "free", "--json"]);
    expect(run.code, explain(run)).toBe(0);
    expect(TenantView.parse(JSON.parse(run.stdout)).id).toBe("acme");
    expect(run.stderr).toBe("");
  });

  it("--wait polls until the operation is over and prints the active tenant", async () => {
    const run = await wfp(["tenants", "create", "acme", "--plan", "free", "--wait", "--json"]);
    expect(run.code, explain(run)).toBe(0);
    const tenant = TenantView.parse(JSON.parse(run.stdout));
    expect(tenant.state).toBe("active");
    expect(tenant.operation).toBeNull();
    expect(fake.requests.filter((r) => r.method === "GET" && r.path === "/v1/tenants/acme").length).toBeGreaterThan(1);
  });

  it("--wait exits 4 when the operation fails, naming the error (and --json still prints the tenant)", async () => {
    const run = await wfp(["tenants", "create", "fail-acme", "--plan", "free", "--wait", "--json"]);
    expect(run.code, explain(run)).toBe(4);
    expect(TenantView.parse(JSON.parse(run.stdout)).state).toBe("failed");
    expect(ErrorBody.shape.error.shape.message.parse(JSON.parse(run.stderr).error.message)).toContain(
      "upstream_error: the Cloudflare API answered 500",
    );
    expect(JSON.parse(run.stderr).error.code).toBe("operation_failed");
  });

  it("--wait exits 4 when the operation outlasts --timeout", async () => {
    const run = await wfp(["tenants", "create", "stuck-acme", "--plan", "free", "--wait", "--timeout", "0.2"]);
    expect(run.code, explain(run)).toBe(4);
    expect(run.stderr).toContain("wfp: wait_timeout: tenant stuck-acme's provision did not finish within 0.2 s");
  });

  it("list follows the cursor with --all and passes the filters as query parameters", async () => {
    for (const id of ["t-one", "t-two", "t-three"]) await createTenant(id);
    const page = await wfp(["tenants", "list", "--limit", "2", "--state", "active"]);
    expect(page.code, explain(page)).toBe(0);
    expect(page.stdout.split("\n")[0]).toMatch(/^ID\s+PLAN\s+STATE\s+HOSTNAME\s+OPERATION$/);
    expect(page.stdout).toContain("t-one");
    expect(page.stdout).not.toContain("t-three");
    expect(page.stderr).toContain("more tenants: --cursor 2 (or --all)");
    expect(fake.requests.at(-1)?.path).toBe("/v1/tenants?state=active&limit=2");

    const all = await wfp(["tenants", "list", "--limit", "2", "--all", "--json"]);
    expect(all.code, explain(all)).toBe(0);
    const list = TenantList.parse(JSON.parse(all.stdout));
    expect(list.tenants.map((t) => t.id)).toEqual(["t-one", "t-two", "t-three"]);
    expect(list.cursor).toBeNull();
  });

  it("get prints the tenant; update sends only what changes; delete --wait ends when it is gone", async () => {
    await createTenant("acme");
    const get = await wfp(["tenants", "get", "acme"]);
    expect(get.code, explain(get)).toBe(0);
    expect(get.stdout).toMatch(/hostnames\s+acme\.platform\.test/);

    const update = await wfp(["tenants", "update", "acme", "--plan", "pro", "--suspend", "--wait", "--json"]);
    expect(update.code, explain(update)).toBe(0);
    expect(fake.requests.find((r) => r.method === "PATCH")?.body).toEqual({ plan: "pro", suspended: true });
    expect(TenantView.parse(JSON.parse(update.stdout))).toMatchObject({ plan: "pro", state: "suspended" });

    const remove = await wfp(["tenants", "delete", "acme", "--wait", "--json"]);
    expect(remove.code, explain(remove)).toBe(0);
    expect(JSON.parse(remove.stdout)).toEqual({ id: "acme", deleted: true });
  });
});

describe("secrets", () => {
  it("put reads the value from stdin, sends it, and never prints it", async () => {
    await createTenant("acme");
    const run = await wfp(["secrets", "put", "acme", "API_KEY", "--wait"], `${SECRET}\n`);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.secretValues.get("acme/API_KEY")).toBe(SECRET);
    expect(run.stdout).toMatch(/secrets\s+API_KEY/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("tenants create takes --secret NAME=VALUE and --secret NAME from stdin", async () => {
    const run = await wfp(
      ["tenants", "create", "acme", "--plan", "free", "--secret", "A=one", "--secret", "B"],
      SECRET,
    );
    expect(run.code, explain(run)).toBe(0);
    expect(fake.secretValues.get("acme/A")).toBe("one");
    expect(fake.secretValues.get("acme/B")).toBe(SECRET);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("a refused secret's error does not show its value", async () => {
    const run = await wfp(["tenants", "create", "acme", "--plan", "free", "--secret", `KV=${SECRET}`]);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stderr).toContain("wfp: invalid_request (HTTP 400): the request is invalid");
    // Each refused field on a line of its own (zod words the reason for a record key).
    expect(run.stderr).toMatch(/\n {2}secrets\.KV: \S/);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("an unreachable control plane's error does not show the value either", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(["secrets", "put", "acme", "API_KEY", "--url", url], { stdin: SECRET });
    expect(run.code, explain(run)).toBe(3);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("an empty value on stdin is a usage error; delete of an unknown secret is the API's 404", async () => {
    await createTenant("acme");
    const empty = await wfp(["secrets", "put", "acme", "API_KEY"], "\n");
    expect(empty.code, explain(empty)).toBe(2);
    expect(empty.stderr).toContain("the value of API_KEY read from stdin is empty");
    const missing = await wfp(["secrets", "delete", "acme", "NOPE"]);
    expect(missing.code, explain(missing)).toBe(1);
    expect(missing.stderr).toContain('wfp: not_found (HTTP 404): tenant "acme" has no secret "NOPE"');
  });
});

describe("errors and exit codes", () => {
  it("1: each 4xx error body, with its code, message and details", async () => {
    await createTenant("acme");
    const conflict = await wfp(["tenants", "create", "acme", "--plan", "free"]);
    expect(conflict.code, explain(conflict)).toBe(1);
    expect(conflict.stderr).toBe('wfp: conflict (HTTP 409): tenant "acme" exists\n');

    const taken = await wfp(["tenants", "create", "other", "--plan", "free", "--hostname", "taken.example.com"]);
    expect(taken.code, explain(taken)).toBe(1);
    expect(taken.stderr).toContain("wfp: hostname_taken (HTTP 409)");

    const invalid = await wfp(["tenants", "create", "A!", "--plan", "gold", "--json"]);
    expect(invalid.code, explain(invalid)).toBe(1);
    const body = ErrorBody.parse(JSON.parse(invalid.stderr));
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.details?.map((d) => d.path).sort()).toEqual(["id", "plan"]);
    expect(invalid.stdout).toBe("");

    const badToken = await runCli(["tenants", "list"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: "wrong" } });
    expect(badToken.code, explain(badToken)).toBe(1);
    expect(badToken.stderr).toContain("wfp: unauthorized (HTTP 401)");

    const notFound = await wfp(["tenants", "get", "nobody"]);
    expect(notFound.code, explain(notFound)).toBe(1);
    expect(notFound.stderr).toBe('wfp: not_found (HTTP 404): no tenant "nobody"\n');
  });

  it("3: a 5xx error body, a 5xx without one, and an answer outside the contract", async () => {
    fake.injectNext(500, JSON.stringify({ error: { code: "internal_error", message: "boom" } }));
    const internal = await wfp(["tenants", "list"]);
    expect(internal.code, explain(internal)).toBe(3);
    expect(internal.stderr).toBe("wfp: internal_error (HTTP 500): boom\n");

    fake.injectNext(502, JSON.stringify({ error: { code: "upstream_error", message: "Cloudflare API unavailable" } }));
    const upstream = await wfp(["tenants", "get", "acme"]);
    expect(upstream.code, explain(upstream)).toBe(3);
    expect(upstream.stderr).toContain("wfp: upstream_error (HTTP 502)");

    fake.injectNext(503, "<html>Service Unavailable</html>", "text/html");
    const html = await wfp(["tenants", "list"]);
    expect(html.code, explain(html)).toBe(3);
    expect(html.stderr).toContain("GET /v1/tenants answered HTTP 503 without the API's error body");

    fake.injectNext(200, JSON.stringify({ tenants: "nope" }));
    const offContract = await wfp(["tenants", "list"]);
    expect(offContract.code, explain(offContract)).toBe(3);
    expect(offContract.stderr).toContain("wfp: bad_response (HTTP 200)");
    expect(offContract.stderr).toContain("tenants:");
  });

  it("3: a refused connection, with --json as an error object", async () => {
    const closed = await closedPort();
    const run = await runCli(["tenants", "list", "--url", `http://127.0.0.1:${closed}`, "--json"]);
    expect(run.code, explain(run)).toBe(3);
    expect(run.stdout).toBe("");
    expect(JSON.parse(run.stderr)).toEqual({
      error: {
        code: "unreachable",
        message: `cannot reach the control plane at http://127.0.0.1:${closed} (GET /v1/tenants): ECONNREFUSED`,
      },
    });
  });

  it("2: usage errors, before any request", async () => {
    const cases: [string[], string][] = [
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["tenants", "frob"], 'unknown command "tenants frob"'],
      [["tenants", "create", "acme"], "--plan is required"],
      [["tenants", "create", "acme", "--plan", "free", "--bogus"], "Unknown option '--bogus'"],
      [["tenants", "get"], "expected <id>: wfp tenants get <id> [options]"],
      [
        ["tenants", "create", "acme", "--plan", "free", "--var", "NOEQUALS"],
        '--var expects NAME=VALUE, got "NOEQUALS"',
      ],
      [["tenants", "create", "a", "--plan", "free", "--secret", "A", "--secret", "B"], "only one --secret NAME"],
      [["tenants", "update", "acme"], "nothing to change"],
      [["tenants", "list", "--url", "not a url"], '--url (or WFP_API_URL) is not a URL: "not a url"'],
      [["tenants", "list", "--timeout", "soon"], '--timeout must be a positive number, got "soon"'],
      [["deploy", "/nonexistent", "--tenant", "acme"], "/nonexistent has no wrangler config"],
      [["deploy", "."], "--tenant is required"],
    ];
    for (const [args, message] of cases) {
      const run = await wfp(args);
      expect(run.code, `${args.join(" ")}\n${explain(run)}`).toBe(2);
      expect(run.stderr, args.join(" ")).toContain(message);
    }
    expect(fake.requests).toEqual([]);
    const none = await runCli([]);
    expect(none.code, explain(none)).toBe(2);
    expect(none.stderr).toContain("wfp: usage: a command is required");
  });

  it("--help prints the usage with the exit codes and exits 0", async () => {
    const run = await runCli(["tenants", "create", "--help"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain("Usage: wfp tenants create <id> [options]");
    expect(run.stdout).toContain("--secret NAME");
    expect(run.stdout).toContain("Exit codes: 0 ok, 1 the API refused (4xx)");
  });
});

describe("rollout", () => {
  it("follows the rollout, one line per change without a terminal, and exits 0", async () => {
    for (const id of ["r-one", "r-two", "r-three"]) await createTenant(id);
    const run = await wfp(["rollout", TEMPLATE_DIR, "--plan", "free", "--canary", "0"]);
    expect(run.code, explain(run)).toBe(0);
    const post = fake.requests.find((r) => r.path === "/v1/rollouts");
    expect(post?.body).toMatchObject({
      filter: { plan: "free" },
      canary: { tenants: 0 },
      script: { mainModule: "index.js" },
    });
    const lines = run.stderr.split("\n").filter((line) => line.startsWith("rollout ro-1"));
    expect(lines).toEqual([
      "rollout ro-1 running: 0 succeeded, 0 failed, 3 pending of 3",
      "rollout ro-1 running: 1 succeeded, 0 failed, 2 pending of 3",
      "rollout ro-1 running: 2 succeeded, 0 failed, 1 pending of 3",
      "rollout ro-1 completed: 3 succeeded, 0 failed, 0 pending of 3",
    ]);
    expect(run.stdout).toBe("rollout ro-1 completed: 3 succeeded, 0 failed, 0 pending of 3\n");
  });

  it("exits 4 when tenants fail, listing them; --json prints only the RolloutView", async () => {
    await createTenant("r-one");
    expect((await wfp(["tenants", "create", "fail-two", "--plan", "free"])).code).toBe(0);
    const run = await wfp(["rollout", TEMPLATE_DIR, "--json", "--canary", "0"]);
    expect(run.code, explain(run)).toBe(4);
    const rollout = RolloutView.parse(JSON.parse(run.stdout));
    expect(rollout).toMatchObject({ state: "failed", succeeded: 1, failed: 1 });
    const error = JSON.parse(run.stderr).error;
    expect(error.code).toBe("rollout_failed");
    expect(error.message).toContain("fail-two: script_rejected: the upload was refused");
  });
});
