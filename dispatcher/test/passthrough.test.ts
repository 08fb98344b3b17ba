import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { REQUEST_ID_HEADER, TENANT_HEADER } from "../src/tenant-request";
import { bodiedRequest, type Echo, errorOf, harness, scripts, tenant } from "./support";

let echo: { tenantId: string; host: string };

beforeAll(async () => {
  echo = await tenant(scripts.echo);
});

describe("header hygiene", () => {
  it("strips the version override headers and every x-platform-* header a client sends", async () => {
    const res = await harness().fetch(`http://${echo.host}/`, {
      headers: {
        "Cloudflare-Workers-Version-Overrides": 'my-tenant="10000000-0000-0000-0000-000000000000"',
        "Cloudflare-Workers-Version-Key": "sticky",
        "X-Platform-Tenant": "someone-else",
        "x-platform-request-id": "forged",
        "x-platform-anything": "1",
        "x-custom": "kept",
      },
    });
    const { headers } = await res.json<Echo>();
    expect(headers["cloudflare-workers-version-overrides"]).toBeUndefined();
    expect(headers["cloudflare-workers-version-key"]).toBeUndefined();
    expect(headers["x-platform-anything"]).toBeUndefined();
    expect(headers["x-custom"]).toBe("kept");
    expect(headers[TENANT_HEADER]).toBe(echo.tenantId);
    expect(headers[REQUEST_ID_HEADER]).not.toBe("forged");
    expect(
      Object.keys(headers)
        .filter((name) => name.startsWith("x-platform-"))
        .sort(),
    ).toEqual([REQUEST_ID_HEADER, TENANT_HEADER]);
  });

  it("gives the tenant and the client the same request id, a new one per request", async () => {
    const h = harness();
    const first = await h.fetch(`http://${echo.host}/`);
    const second = await h.fetch(`http://${echo.host}/`);
    const id = first.headers.get(REQUEST_ID_HEADER);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await first.json<Echo>()).headers[REQUEST_ID_HEADER]).toBe(id);
    expect(second.headers.get(REQUEST_ID_HEADER)).not.toBe(id);
    await second.body?.cancel();
  });

  it("replaces a request id header the tenant's Worker sets on its response", async () => {
    const { host } = await tenant(
      `export default { fetch() { return new Response("x", { headers: { "x-platform-request-id": "mine" } }); } };`,
    );
    const res = await harness().fetch(`http://${host}/`);
    expect(res.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("pass-through", () => {
  it("passes the method, the headers and the body, and the Worker's status, headers and body back", async () => {
    const { host } = await tenant(`export default { async fetch(request) {
      return new Response(request.method + " " + (await request.text()), {
        status: 207,
        statusText: "Multi",
        headers: { "x-echo": request.headers.get("x-in") ?? "", "set-cookie": "a=1" },
      });
    } };`);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await harness().fetch(`http://${host}/`, { method, body: "payload", headers: { "x-in": "in" } });
      expect(res.status).toBe(207);
      expect(res.headers.get("x-echo")).toBe("in");
      expect(res.headers.get("set-cookie")).toBe("a=1");
      expect(await res.text()).toBe(`${method} payload`);
    }
  });

  it("hands the tenant's Worker the client's request.cf", async () => {
    const { host } = await tenant(`export default { fetch: (request) => Response.json(request.cf ?? null) };`);
    const cf = { country: "DE", colo: "FRA", asn: 3320 };
    const res = await harness().send(new Request(`http://${host}/`, { cf }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(cf);
  });

  it("keeps a declared Content-Length both ways, though it counts the bytes", async () => {
    const { host } = await tenant(`export default { async fetch(request) {
      const body = (await request.text()) + ":" + request.headers.get("content-length");
      return new Response(body, { headers: { "content-length": String(body.length) } });
    } };`);
    const res = await harness().fetch(`http://${host}/`, {
      method: "POST",
      body: "abcdef",
      headers: { "content-length": "6" },
    });
    expect(res.headers.get("content-length")).toBe("8");
    expect(await res.text()).toBe("abcdef:6");
  });

  it("does not follow a Worker's redirect: the client gets it", async () => {
    const { host } = await tenant(
      `export default { fetch() { return Response.redirect("https://example.com/next", 302); } };`,
    );
    const res = await harness().fetch(`http://${host}/`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/next");
  });

  it("streams both ways: each chunk the client sends comes back before the next is sent", async () => {
    const { host } = await tenant(`export default { fetch(request) {
      const upper = new TransformStream({
        transform(chunk, controller) {
          controller.enqueue(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()));
        },
      });
      return new Response(request.body.pipeThrough(upper));
    } };`);
    const upload = new TransformStream<Uint8Array, Uint8Array>();
    const writer = upload.writable.getWriter();
    const encoder = new TextEncoder();
    const res = await harness().fetch(`http://${host}/`, { method: "POST", body: upload.readable });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (const word of ["first", "second", "third"]) {
      await writer.write(encoder.encode(word));
      const { value } = await reader.read();
      expect(decoder.decode(value)).toBe(word.toUpperCase());
    }
    await writer.close();
    expect((await reader.read()).done).toBe(true);
  });

  it("passes a WebSocket upgrade through, and the Worker echoes messages", async () => {
    const { host } = await tenant(`export default { fetch(request) {
      if (request.headers.get("upgrade") !== "websocket") return new Response("not a websocket", { status: 426 });
      const [client, server] = Object.values(new WebSocketPair());
      server.accept();
      server.addEventListener("message", (event) => server.send("echo: " + event.data));
      return new Response(null, { status: 101, webSocket: client });
    } };`);
    const h = harness();
    const res = await h.fetch(`http://${host}/chat`, { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(101);
    expect(res.headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    const socket = res.webSocket as WebSocket;
    socket.accept();
    const received: string[] = [];
    const twoMessages = new Promise<void>((resolve) => {
      socket.addEventListener("message", (event) => {
        received.push(String(event.data));
        if (received.length === 2) resolve();
      });
    });
    socket.send("hello");
    socket.send("again");
    await twoMessages;
    expect(received).toEqual(["echo: hello", "echo: again"]);
    socket.close(1000, "done");
    await h.settled();
    expect(h.metrics.points.at(-1)?.doubles?.[0]).toBe(101);
  });
});

describe("a GET or HEAD with a body", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is refused with 400 body_not_allowed before it is routed, and nothing is logged", async () => {
    const errors = vi.spyOn(console, "error");
    const h = harness();
    const res = await h.send(bodiedRequest("GET", `http://${echo.host}/`, "hello"));
    // Before the status: on a 500 this shows what was logged (the TypeError's stack).
    expect(errors.mock.calls).toEqual([]);
    const error = await errorOf(res, 400);
    expect(error).toEqual({
      code: "body_not_allowed",
      message: "A GET or HEAD request cannot carry a body.",
      requestId: res.headers.get(REQUEST_ID_HEADER),
    });
    await h.settled();
    // tenantId, scriptName, plan, outcome: no route was looked up.
    expect(h.metrics.points.map((point) => point.blobs?.slice(0, 4))).toEqual([["", "", "", "body_not_allowed"]]);
  });

  it("HEAD too, and in path mode", async () => {
    const head = await harness().send(bodiedRequest("HEAD", `http://${echo.host}/`, "x"));
    expect(head.status).toBe(400);
    const path = await harness().send(bodiedRequest("GET", `http://localhost/${echo.tenantId}/`, "x"));
    expect((await errorOf(path, 400)).code).toBe("body_not_allowed");
  });

  it("an empty body is no body: the GET reaches the tenant without one", async () => {
    const res = await harness().send(bodiedRequest("GET", `http://${echo.host}/`, ""));
    expect(res.status).toBe(200);
    expect(await res.json<Echo>()).toMatchObject({ method: "GET", body: "" });
  });
});
