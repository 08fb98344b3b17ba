import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../src/routes/files";
import { call, errorOf } from "./helpers";

const put = (name: string, body: BodyInit, headers: Record<string, string> = {}) =>
  call(`/files/${name}`, { method: "PUT", body, headers });

describe("/files/:name", () => {
  it("stores a file in R2 with its content type and serves it back", async () => {
    const res = await put("hello.txt", "hello, world", { "content-type": "text/plain" });
    expect(res.status).toBe(201);
    const stored = await res.json();
    expect(stored).toEqual({ name: "hello.txt", size: 12, etag: expect.any(String), contentType: "text/plain" });

    const object = await env.BUCKET.get("hello.txt");
    expect(await object?.text()).toBe("hello, world");

    const get = await call("/files/hello.txt");
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("text/plain");
    expect(get.headers.get("etag")).toBe((stored as { etag: string }).etag);
    expect(await get.text()).toBe("hello, world");
  });

  it("keeps bytes as they are, with a default content type", async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    expect((await put("bytes.bin", bytes)).status).toBe(201);
    const get = await call("/files/bytes.bin");
    expect(get.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(bytes);
  });

  it("streams a body in, given its length", async () => {
    const stream = new Blob(["chunk one, ", "chunk two"]).stream();
    const res = await put("streamed.txt", stream, { "content-length": "20" });
    expect(res.status).toBe(201);
    expect(await (await env.BUCKET.get("streamed.txt"))?.text()).toBe("chunk one, chunk two");
  });

  it("refuses a body shorter than its Content-Length, storing nothing", async () => {
    const res = await put("short.txt", new Blob(["12345"]).stream(), { "content-length": "10" });
    expect((await errorOf(res, 400)).code).toBe("bad_request");
    expect(await env.BUCKET.head("short.txt")).toBeNull();
  });

  it("answers 411 for a body of unknown length", async () => {
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("abc"));
        controller.close();
      },
    });
    const res = await put("nolength.txt", chunked);
    expect((await errorOf(res, 411)).code).toBe("length_required");
  });

  it("answers 413 for a file over the limit, before reading it", async () => {
    const res = await put("huge.bin", new Blob(["x"]).stream(), { "content-length": String(MAX_FILE_BYTES + 1) });
    expect((await errorOf(res, 413)).code).toBe("payload_too_large");
    expect(await env.BUCKET.head("huge.bin")).toBeNull();
  });

  it("answers 400 for a name outside the allowed characters", async () => {
    for (const name of [".hidden", "a%20b", "x".repeat(256)]) {
      expect((await errorOf(await put(name, "x"), 400)).message).toContain("file name");
    }
  });

  it("deletes a file, then answers 404 for it", async () => {
    await env.BUCKET.put("old.txt", "old");
    expect((await call("/files/old.txt", { method: "DELETE" })).status).toBe(204);
    expect(await env.BUCKET.head("old.txt")).toBeNull();
    expect((await errorOf(await call("/files/old.txt"), 404)).message).toBe('file "old.txt" not found');
    expect((await errorOf(await call("/files/old.txt", { method: "DELETE" }), 404)).code).toBe("not_found");
  });

  it("answers 405 for another method", async () => {
    expect((await call("/files/a.txt", { method: "POST" })).headers.get("allow")).toBe("GET, HEAD, PUT, DELETE");
  });
});
