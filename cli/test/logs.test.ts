import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LogEvent, LogPage } from "../../platform/tenant-logs.ts";
import { colourFor, formatEvent } from "../log-format.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// `wfp logs` against the stand-in control plane (support/fake-control-plane.ts). Its live route
// refuses every WebSocket (no WebSocket server library is a dependency): `--follow` is tested up
// to the socket, its printing through formatEvent, which both modes share.
let fake: FakeControlPlane;
beforeAll(async () => {
  fake = await startFakeControlPlane();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const wfp = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
  runCli(args, { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token, ...env } });
const ESC = "\x1b[";

const event = (overrides: Partial<Omit<LogEvent, "id">> = {}): Omit<LogEvent, "id"> => ({
  timestamp: "2026-11-01T10:00:00.000Z",
  outcome: "ok",
  request: { method: "GET", url: "https://acme.example/", status: 200 },
  logs: [],
  exceptions: [],
  truncated: false,
  ...overrides,
});

const THREE = [
  event({ logs: [{ timestamp: "2026-11-01T10:00:00.100Z", level: "log", message: "first" }], cpuTimeMs: 1 }),
  event({
    timestamp: "2026-11-01T10:00:01.000Z",
    outcome: "exception",
    request: { method: "POST", url: "https://acme.example/pay", status: 500 },
    logs: [
      { timestamp: "2026-11-01T10:00:01.100Z", level: "warn", message: "slow\nand late" },
      { timestamp: "2026-11-01T10:00:01.200Z", level: "error", message: "boom coming" },
    ],
    exceptions: [
      {
        timestamp: "2026-11-01T10:00:01.300Z",
        name: "TypeError",
        message: "x is undefined",
        stack: "TypeError: x is undefined\n    at pay (index.js:3:9)\n    at fetch (index.js:9:1)",
      },
    ],
  }),
  event({
    timestamp: "2026-11-01T10:00:02.000Z",
    logs: [{ timestamp: "2026-11-01T10:00:02.100Z", level: "debug", message: "third" }],
  }),
];

async function tenantWithLogs(id = "acme"): Promise<LogEvent[]> {
  const created = await wfp(["tenants", "create", id, "--plan", "free"]);
  expect(created.code, explain(created)).toBe(0);
  return fake.addLogs(id, THREE);
}

describe("wfp logs <tenant>", () => {
  it("prints the page oldest first: request line, levels, exceptions with their stack, uncoloured off a terminal", async () => {
    await tenantWithLogs();
    const run = await wfp(["logs", "acme"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/tenants/acme/logs" });
    expect(run.stdout).toBe(
      [
        "2026-11-01T10:00:00.000Z GET https://acme.example/ → 200 ok  (cpu 1 ms)",
        "  2026-11-01T10:00:00.100Z log   first",
        "2026-11-01T10:00:01.000Z POST https://acme.example/pay → 500 exception",
        "  2026-11-01T10:00:01.100Z warn  slow",
        "        and late",
        "  2026-11-01T10:00:01.200Z error boom coming",
        "  2026-11-01T10:00:01.300Z exception TypeError: x is undefined",
        "      at pay (index.js:3:9)",
        "      at fetch (index.js:9:1)",
        "2026-11-01T10:00:02.000Z GET https://acme.example/ → 200 ok",
        "  2026-11-01T10:00:02.100Z debug third",
        "",
      ].join("\n"),
    );
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).toBe("");
  });

  it("--json prints the API's LogPage as it came, newest first, and nothing else", async () => {
    const filed = await tenantWithLogs();
    const run = await wfp(["logs", "acme", "--json"]);
    expect(run.code, explain(run)).toBe(0);
    expect(LogPage.parse(JSON.parse(run.stdout))).toEqual({ events: [...filed].reverse(), next: null });
    expect(run.stderr).toBe("");
  });

  it("sends --limit, --before and --outcome, and says how to read the page before", async () => {
    const filed = await tenantWithLogs();
    const run = await wfp(["logs", "acme", "--limit", "1"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.at(-1)?.path).toBe("/v1/tenants/acme/logs?limit=1");
    expect(run.stdout).toContain("debug third");
    expect(run.stdout).not.toContain("first");
    expect(run.stderr).toContain(`older events: wfp logs acme --before ${filed[2]?.id}`);

    const older = await wfp(["logs", "acme", "--before", String(filed[2]?.id), "--outcome", "exception", "--json"]);
    expect(older.code, explain(older)).toBe(0);
    expect(fake.requests.at(-1)?.path).toBe(`/v1/tenants/acme/logs?before=${filed[2]?.id}&outcome=exception`);
    expect(LogPage.parse(JSON.parse(older.stdout)).events.map((e) => e.id)).toEqual([filed[1]?.id]);
  });

  it("says so when there are none", async () => {
    await wfp(["tenants", "create", "quiet", "--plan", "free"]);
    const run = await wfp(["logs", "quiet"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toBe("no events\n");
  });

  it("refuses malformed flags before sending anything (exit 2)", async () => {
    for (const args of [
      ["--limit", "ten"],
      ["--before", "-1"],
      ["--outcome", "fine"],
      ["--follow", "--before", "3"],
    ]) {
      const run = await wfp(["logs", "acme", ...args]);
      expect(run.code, explain(run)).toBe(2);
      expect(run.stderr).toMatch(/^wfp: usage: /);
    }
    expect(fake.requests).toEqual([]);
  });

  it("reports the API's refusals (exit 1) and a failing logs service (exit 3)", async () => {
    const unknown = await wfp(["logs", "nobody"]);
    expect(unknown.code, explain(unknown)).toBe(1);
    expect(unknown.stderr).toContain('wfp: not_found (HTTP 404): no tenant "nobody"');

    await tenantWithLogs();
    const tooMany = await wfp(["logs", "acme", "--limit", "5000"]);
    expect(tooMany.code, explain(tooMany)).toBe(1);
    expect(tooMany.stderr).toContain("wfp: invalid_request (HTTP 400)");
    expect(tooMany.stderr).toContain("  limit: ");

    fake.injectNext(502, JSON.stringify({ error: { code: "logs_unavailable", message: "the logs service failed" } }));
    const down = await wfp(["logs", "acme"]);
    expect(down.code, explain(down)).toBe(3);
    expect(down.stderr).toContain("wfp: logs_unavailable (HTTP 502): the logs service failed");

    fake.injectNext(200, JSON.stringify({ events: [{ id: 1 }], next: null }));
    const offContract = await wfp(["logs", "acme"]);
    expect(offContract.code, explain(offContract)).toBe(3);
    expect(offContract.stderr).toContain("wfp: bad_response");
  });
});

describe("wfp logs <tenant> --follow", () => {
  it("asks for the live WebSocket with the bearer token; refused, it says so and exits 3", async () => {
    await tenantWithLogs();
    const run = await wfp(["logs", "acme", "--follow"]);
    expect(run.code, explain(run)).toBe(3);
    expect(fake.liveRequests).toEqual([{ path: "/v1/tenants/acme/logs/live", authorization: `Bearer ${fake.token}` }]);
    expect(run.stderr).toContain('wfp: unreachable: the live logs of "acme" at ');
    expect(run.stderr).toContain("the WebSocket could not be opened");
    expect(run.stdout).toBe("");
  });

  it("an unknown tenant, or a wrong token, is the API's error (exit 1), asked after the refused socket", async () => {
    const unknown = await wfp(["logs", "nobody", "-f"]);
    expect(unknown.code, explain(unknown)).toBe(1);
    expect(unknown.stderr).toContain('wfp: not_found (HTTP 404): no tenant "nobody"');

    await tenantWithLogs();
    const wrongToken = await wfp(["logs", "acme", "-f", "--json"], { WFP_API_TOKEN: "wrong" });
    expect(wrongToken.code, explain(wrongToken)).toBe(1);
    expect(JSON.parse(wrongToken.stderr)).toMatchObject({ error: { code: "unauthorized" } });
    expect(fake.liveRequests.at(-1)?.authorization).toBe("Bearer wrong");
  });
});

describe("an event as printed", () => {
  const [, failing] = THREE.map((e, index) => ({ ...e, id: index + 1 }));

  it("colours levels on a terminal: error red, warn yellow, debug dim, log and info plain", () => {
    const coloured = formatEvent(failing as LogEvent, true);
    expect(coloured).toContain(`${ESC}33mwarn  slow`);
    expect(coloured).toContain(`${ESC}31merror boom coming`);
    expect(coloured).toContain(`${ESC}31mexception TypeError: x is undefined`);
    expect(coloured).toContain(`→ 500 ${ESC}31mexception${ESC}0m`);
    const debugLine = { timestamp: "2026-11-01T10:00:02.100Z", level: "debug", message: "third" } as const;
    const debug = formatEvent({ ...event({ logs: [debugLine] }), id: 9 }, true);
    expect(debug).toContain(`${ESC}2mdebug third`);
    const plain = formatEvent(
      {
        ...event({
          logs: [
            { timestamp: "2026-11-01T10:00:00.000Z", level: "info", message: "i" },
            { timestamp: "2026-11-01T10:00:00.000Z", level: "log", message: "l" },
          ],
        }),
        id: 10,
      },
      true,
    );
    expect(plain).not.toContain(ESC);
    expect(formatEvent(failing as LogEvent, false)).not.toContain(ESC);
  });

  it("colours only a terminal without NO_COLOR", () => {
    expect(colourFor({ isTTY: true }, {})).toBe(true);
    expect(colourFor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colourFor({ isTTY: false }, {})).toBe(false);
    expect(colourFor({}, {})).toBe(false);
  });

  it("marks an event cut to the tail's limits, and one with no request", () => {
    const text = formatEvent(
      { ...event({ truncated: true, outcome: "exceededCpu" }), request: undefined, id: 3 },
      false,
    );
    expect(text).toBe(
      "2026-11-01T10:00:00.000Z (no request) exceededCpu\n  (cut to the tail's limits: what is shown is the beginning)",
    );
  });
});
