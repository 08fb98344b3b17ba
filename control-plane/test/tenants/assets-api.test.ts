import { describe, expect, it } from "vitest";
import { MAX_ASSET_COUNT, MAX_ASSET_SIZE } from "../../../cloudflare-api/assets";
import { MAX_ASSETS_BODY_BYTES } from "../../../platform/tenants-api";
import { anonymous, expectError } from "./api-support";
import { assetFile, assetsForm, missingOf, postAssets, storeAssets } from "./assets-support";
import { api } from "./support";

// POST /v1/assets/missing and POST /v1/assets: files stored by hash, every part checked before any is
// stored, and the refusals in the API's error shape.

describe("asset files", () => {
  it("are reported missing until stored, then stored once whatever the number of requests", async () => {
    // An image's bytes (not text, not UTF-8), unique to this run.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, ...crypto.getRandomValues(new Uint8Array(16))]);
    const files = [assetFile("/index.html", "<h1>hi</h1>"), assetFile("/img/logo.png", png)];
    const hashes = files.map((file) => file.hash);
    // Asked twice, answered once, in the order given.
    expect(await missingOf([...hashes, hashes[0] ?? ""])).toEqual(hashes);
    await storeAssets(files);
    expect(await missingOf(hashes)).toEqual([]);
    // The same files again: stored (they are), nothing else changes.
    await storeAssets(files);
    expect(await missingOf(hashes)).toEqual([]);
    const [html] = files;
    const other = assetFile("/about.html", "<p>about</p>");
    expect(await missingOf([other.hash, html?.hash ?? ""])).toEqual([other.hash]);
  });

  it("a file of the same bytes at another path with the same extension is the same file", async () => {
    const a = assetFile("/a/page.html", "<p>same</p>");
    const b = { ...a, path: "/b/other.html" };
    expect(b.hash).toBe(a.hash);
    await storeAssets([a]);
    expect(await missingOf([b.hash])).toEqual([]);
  });

  it("/missing takes at most 20,000 hashes, each a hash", async () => {
    const tooMany = Array.from({ length: MAX_ASSET_COUNT + 1 }, (_, i) => i.toString(16).padStart(32, "0"));
    expectError(await api("POST", "/v1/assets/missing", { hashes: tooMany }), 400, "invalid_request", "hashes");
    expectError(await api("POST", "/v1/assets/missing", { hashes: ["nothex"] }), 400, "invalid_request", "hashes.0");
    expectError(await api("POST", "/v1/assets/missing", { hashes: [], more: 1 }), 400, "invalid_request");
    expect(await missingOf([])).toEqual([]);
    // The most it takes, in one query: all missing, in order.
    const most = tooMany.slice(1);
    expect(await missingOf(most)).toEqual(most);
  });

  it.each([
    [
      "a part whose bytes are not its hash",
      () => ({ ...assetFile("/x.css", "a{}"), name: assetFile("/x.css", "b{}").hash }),
    ],
    ["a part named by no hash", () => ({ ...assetFile("/x.css", "a{}"), name: "index.html" })],
    ["a filename that is not a manifest path", () => ({ ...assetFile("/x.css", "a{}"), filename: "../x.css" })],
  ])("%s: 400 naming the part, and nothing of the request stored", async (_, bad) => {
    const good = assetFile("/ok.html", "<p>ok</p>");
    const answer = await postAssets(assetsForm([good, bad()]));
    expectError(answer, 400, "invalid_request", "parts.1");
    expect(await missingOf([good.hash])).toEqual([good.hash]);
  });

  it("a text field rather than a file part: 400 naming it, nothing stored", async () => {
    const good = assetFile("/ok.html", "<p>ok</p>");
    const form = assetsForm([good]);
    form.append(good.hash, "just text");
    expectError(await postAssets(form), 400, "invalid_request", "parts.1");
    expect(await missingOf([good.hash])).toEqual([good.hash]);
  });

  it("no part, not multipart, not parseable: 400", async () => {
    expectError(await postAssets(new FormData()), 400, "invalid_request");
    const json = await postAssets(JSON.stringify({ files: [] }), "application/json");
    expect(expectError(json, 400, "invalid_request").message).toContain("multipart/form-data");
    expectError(await postAssets("--x\r\nnot a part", "multipart/form-data; boundary=y"), 400, "invalid_request");
  });

  it("a file over 25 MiB: 413 and nothing stored", async () => {
    const big = assetFile("/big.bin", new Uint8Array(MAX_ASSET_SIZE + 1));
    const small = assetFile("/small.txt", "small");
    const answer = await postAssets(assetsForm([small, big]));
    expectError(answer, 413, "payload_too_large", "parts.1");
    expect(await missingOf([small.hash, big.hash])).toEqual([small.hash, big.hash]);
  });

  it("a body over the limit: 413 while it arrives, declared or chunked", async () => {
    const over = new Uint8Array(MAX_ASSETS_BODY_BYTES + 1);
    const declared = await postAssets(over, "multipart/form-data; boundary=x");
    expectError(declared, 413, "payload_too_large");
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent <= MAX_ASSETS_BODY_BYTES; sent += 1024 * 1024)
          controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    expectError(await postAssets(chunked, "multipart/form-data; boundary=x"), 413, "payload_too_large");
  });

  it("both routes need the platform's token", async () => {
    expect((await anonymous("POST", "/v1/assets/missing", JSON.stringify({ hashes: [] }))).status).toBe(401);
    expect((await anonymous("POST", "/v1/assets", "")).status).toBe(401);
  });
});
