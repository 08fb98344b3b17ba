import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT } from "../scripts/lib/first-start.ts";
import { LOOPBACK } from "../scripts/lib/ports.ts";
import { type DevPlatform, freePlatformPorts, isolatedDevEnv, startDevPlatform } from "./support/dev-platform.ts";

// What an end user can send to and get from `npm run dev`'s real processes:
// the dispatcher before a tenant's Worker (a GET with a body), and the
// template's defaults as the demo tenant, onboarded from it, ships them
// (who may write, how uploaded files are served).

const STARTUP_TIMEOUT_MS = 180_000;

let workDir: string | undefined;
let platform: DevPlatform | undefined;
let dispatcherPort: number;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-front-door-"));
  const ports = await freePlatformPorts();
  dispatcherPort = ports.dispatcher as number;
  platform = await startDevPlatform(isolatedDevEnv(workDir, ports), STARTUP_TIMEOUT_MS);
}, STARTUP_TIMEOUT_MS + 30_000);

afterAll(async () => {
  if (platform !== undefined) expect(await platform.stop()).toBe(0);
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}, 60_000);

type RawResponse = { status: number; headers: Record<string, string>; body: string };

/** The body of an HTTP/1.1 response, de-chunked if it came in chunks. */
function decodeBody(raw: string, headers: Record<string, string>): string {
  if (headers["transfer-encoding"] !== "chunked") return raw;
  let body = "";
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return body;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * `request` written as it is to the dispatcher's socket, and the answer read
 * to the end: a GET with a body cannot be sent with fetch(), which refuses to
 * build one, as every other client here does.
 */
function rawRequest(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(dispatcherPort, LOOPBACK, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(":");
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: decodeBody(text.slice(split + 4), headers) });
    });
  });
}

/** The demo tenant through the dispatcher's path mode, which puts every tenant on one origin. */
const demo = (pathname: string, init?: RequestInit) =>
  fetch(`http://${LOOPBACK}:${dispatcherPort}/${DEMO_TENANT.id}${pathname}`, init);
const writer = { authorization: `Bearer ${DEMO_TENANT.adminToken}` };

describe("npm run dev: the dispatcher and a GET with a body", () => {
  it.each([
    ["a subdomain", `GET / HTTP/1.1\r\nHost: ${DEMO_TENANT.id}.localhost\r\n`],
    ["path mode", `GET /${DEMO_TENANT.id}/ HTTP/1.1\r\nHost: ${LOOPBACK}\r\n`],
    ["a HEAD", `HEAD / HTTP/1.1\r\nHost: ${DEMO_TENANT.id}.localhost\r\n`],
  ])("is refused with 400 body_not_allowed (%s), and nothing is logged", async (_, head) => {
    const res = await rawRequest(`${head}Content-Length: 5\r\nConnection: close\r\n\r\nhello`);
    expect(res.status).toBe(400);
    const requestId = res.headers["x-platform-request-id"] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (!head.startsWith("HEAD")) {
      expect(JSON.parse(res.body)).toEqual({
        error: { code: "body_not_allowed", message: "A GET or HEAD request cannot carry a body.", requestId },
      });
    }
    // A 500 here was logged with its stack, under the request id.
    expect(platform?.output.filter((line) => line.includes(requestId))).toEqual([]);
  });

  it("the same GET without a body reaches the tenant", async () => {
    const res = await rawRequest(`GET /${DEMO_TENANT.id}/ HTTP/1.1\r\nHost: ${LOOPBACK}\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ tenant: DEMO_TENANT.id });
  });
});

describe("npm run dev: the template's defaults, as the demo tenant ships them", () => {
  it.each([
    ["PUT /files/:name", "/files/drive-by.html", { method: "PUT", body: "<script>alert(1)</script>" }],
    ["PUT /kv/:key", "/kv/drive-by", { method: "PUT", body: '{"value":"x"}' }],
    ["POST /notes", "/notes", { method: "POST", body: '{"title":"drive-by"}' }],
  ])("refuses %s without the tenant's API_TOKEN, storing nothing", async (_, pathname, init) => {
    const res = await demo(pathname, { ...init, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: "unauthorized", message: "a valid bearer token is required" },
    });
  });

  it("stored nothing for those refused writes", async () => {
    expect((await demo("/files/drive-by.html")).status).toBe(404);
    expect((await demo("/kv/drive-by")).status).toBe(404);
    const { notes } = (await (await demo("/notes")).json()) as { notes: { title: string }[] };
    expect(notes.map((note) => note.title)).not.toContain("drive-by");
  });

  it.each([
    ["page.html", "text/html", "<script>document.title = document.cookie</script>"],
    ["image.svg", "image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
  ])("serves an uploaded %s back as a download: attachment, nosniff, sandbox", async (name, type, content) => {
    const put = await demo(`/files/${name}`, {
      method: "PUT",
      headers: { "content-type": type, ...writer },
      body: content,
    });
    expect(put.status).toBe(201);
    const res = await demo(`/files/${name}`);
    expect(res.status).toBe(200);
    expect({
      type: res.headers.get("content-type"),
      disposition: res.headers.get("content-disposition"),
      nosniff: res.headers.get("x-content-type-options"),
      csp: res.headers.get("content-security-policy"),
    }).toEqual({ type, disposition: `attachment; filename="${name}"`, nosniff: "nosniff", csp: "sandbox" });
    expect(await res.text()).toBe(content);
  });
});
