import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../src/routes/files";
import { authorized, call, errorOf } from "./helpers";

const put = (name: string, body: BodyInit, headers: Record<string, string> = {}) =>
  call(`/files/${name}`, authorized({ method: "PUT", body, headers }));

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
    expect((await call("/files/old.txt", authorized({ method: "DELETE" }))).status).toBe(204);
    expect(await env.BUCKET.head("old.txt")).toBeNull();
    expect((await errorOf(await call("/files/old.txt"), 404)).message).toBe('file "old.txt" not found');
    expect((await errorOf(await call("/files/old.txt", authorized({ method: "DELETE" })), 404)).code).toBe("not_found");
  });

  it("serves a file as its uploader's type, with nosniff and under a sandbox", async () => {
    await put("plain.txt", "just text", { "content-type": "text/plain; charset=utf-8" });
    const get = await call("/files/plain.txt");
    expect(get.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(get.headers.get("x-content-type-options")).toBe("nosniff");
    expect(get.headers.get("content-security-policy")).toBe("sandbox");
    expect(get.headers.get("content-disposition")).toBeNull();
    expect(await get.text()).toBe("just text");
  });

  it.each([
    ["page.html", "text/html", "<script>alert(document.cookie)</script>"],
    ["page.htm", "TEXT/HTML; charset=utf-8", "<script>alert(1)</script>"],
    ["image.svg", "image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    [
      "doc.xhtml",
      "application/xhtml+xml",
      '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    ],
    ["feed.xml", "text/xml", "<?xml-stylesheet href='x.xsl'?><a/>"],
    ["app.js", "text/javascript", "alert(1)"],
    ["paper.pdf", "application/pdf", "%PDF-1.7"],
    ["unknown.bin", "application/x-anything-else", "?"],
    // A browser takes the last type of a list: this one is HTML.
    ["list.txt", "text/plain, text/html", "<script>alert(1)</script>"],
  ])("serves %s (%s) as a download: attachment, nosniff, sandbox", async (name, type, body) => {
    expect((await put(name, body, { "content-type": type })).status).toBe(201);
    for (const method of ["GET", "HEAD"]) {
      const res = await call(`/files/${name}`, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${name}"`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toBe("sandbox");
    }
  });

  it.each([
    ["photo.png", "image/png"],
    ["photo.jpg", "image/jpeg"],
    ["clip.mp4", "video/mp4"],
    ["data.json", "application/json"],
  ])("serves %s (%s) inline", async (name, type) => {
    await put(name, "x", { "content-type": type });
    const res = await call(`/files/${name}`);
    expect(res.headers.get("content-disposition")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 405 for another method", async () => {
    expect((await call("/files/a.txt", { method: "POST" })).headers.get("allow")).toBe("GET, HEAD, PUT, DELETE");
  });
});
