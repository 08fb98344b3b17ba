import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_ASSET_COUNT, MAX_ASSET_SIZE } from "../../cloudflare-api/assets";
import { signAssetsJwt, verifyAssetsJwt } from "../src/assets/jwt";
import { getAssetFile } from "../src/assets/store";
import {
  type AssetFile,
  fileOf,
  freshAccount,
  freshAccountWith,
  openSession as helperOpenSession,
  session as helperSession,
  sessionPath as helperSessionPath,
  manifestOf,
  partsOf,
  siteFiles,
  uploadAssets,
} from "./assets-helpers";
import { acct, call, errorOf, resultOf } from "./helpers";

const nowSeconds = () => Math.floor(Date.now() / 1000);
type File = AssetFile;
const session = (account: string, script: string, files: File[]) => helperSession(account, "sites", script, files);
const openSession = (account: string, script: string, body: unknown) =>
  helperOpenSession(account, "sites", script, body);
const sessionPath = (account: string, script: string) => helperSessionPath(account, "sites", script);
const upload = uploadAssets;
const siteAccount = () => freshAccountWith("sites");

async function storedText(account: string, hash: string): Promise<string | null> {
  const object = await getAssetFile(env, account, hash);
  return object === null ? null : object.text();
}

describe("an assets upload session", () => {
  it("lists every file a new account lacks, in buckets, with an upload JWT", async () => {
    const files = await siteFiles();
    const opened = await session(await siteAccount(), "site-a", files);
    expect(opened.buckets.flat().sort()).toEqual(files.map((f) => f.hash).sort());
    expect(opened.jwt.split(".")).toHaveLength(3);
  });

  it("lists a hash once when two paths have the same contents", async () => {
    const a = await fileOf("/a.txt", "same");
    const b = await fileOf("/b.txt", "same");
    const opened = await session(await siteAccount(), "site-a", [a, b]);
    expect(opened.buckets.flat()).toEqual([a.hash]);
  });

  it("splits many files into several buckets", async () => {
    const files = await Promise.all(Array.from({ length: 25 }, (_, i) => fileOf(`/f${i}.txt`, `file ${i}`)));
    const opened = await session(await siteAccount(), "site-a", files);
    expect(opened.buckets.length).toBeGreaterThan(1);
    expect(opened.buckets.flat().sort()).toEqual(files.map((f) => f.hash).sort());
  });
});

describe("uploading a session's files", () => {
  it("stores them, answers 202 until every bucket is in, then 201 with a completion JWT", async () => {
    const account = await siteAccount();
    const files = await Promise.all(Array.from({ length: 12 }, (_, i) => fileOf(`/p/${i}.html`, `<p>${i}</p>`)));
    const opened = await session(account, "site-a", files);
    const [first, ...rest] = opened.buckets;
    const byHash = new Map(files.map((f) => [f.hash, f]));
    const bucketParts = (bucket: string[]) => partsOf(bucket.map((hash) => byHash.get(hash) as File));

    const partial = await upload(account, opened.jwt, bucketParts(first as string[]));
    expect(await resultOf(partial, 202)).toEqual({});
    let last: Response | undefined;
    for (const bucket of rest) last = await upload(account, opened.jwt, bucketParts(bucket));
    const done = await resultOf<{ jwt: string }>(last as Response, 201);
    expect(done.jwt.split(".")).toHaveLength(3);
    expect(done.jwt).not.toBe(opened.jwt);
    expect(await storedText(account, files[3]?.hash as string)).toBe("<p>3</p>");
  });

  it("a second script of the account with the same files uploads none: its JWT is already the completion", async () => {
    const account = await siteAccount();
    const files = await siteFiles();
    const first = await session(account, "site-a", files);
    await resultOf(await upload(account, first.jwt, partsOf(files)), 201);

    const second = await session(account, "site-b", files);
    expect(second.buckets).toEqual([]);
    const claims = await verifyAssetsJwt(env.EMULATOR_API_TOKEN, second.jwt, nowSeconds());
    expect(claims).toMatchObject({ kind: "completion", account });
  });

  it("lists only the changed file when one of the files changes", async () => {
    const account = await siteAccount();
    const files = await siteFiles();
    const first = await session(account, "site-a", files);
    await resultOf(await upload(account, first.jwt, partsOf(files)), 201);
    const changed = await fileOf("/index.html", "<h1>home, again</h1>");
    const next = await session(account, "site-a", [changed, ...files.slice(1)]);
    expect(next.buckets).toEqual([[changed.hash]]);
  });

  it("keeps accounts apart: another account with the same files must upload them", async () => {
    const files = await siteFiles();
    const account = await siteAccount();
    const first = await session(account, "site-a", files);
    await resultOf(await upload(account, first.jwt, partsOf(files)), 201);
    const other = await session(await siteAccount(), "site-a", files);
    expect(other.buckets.flat()).toHaveLength(3);
  });

  it("refuses contents that do not match the hash, storing nothing of the call", async () => {
    const account = await siteAccount();
    const [good, other] = await siteFiles();
    const opened = await session(account, "site-a", [good as File, other as File]);
    const forged = btoa("<h1>not home</h1>");
    const res = await upload(account, opened.jwt, [
      [other?.hash as string, other?.base64 as string],
      [good?.hash as string, forged],
    ]);
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10014);
    expect(error.message).toMatch(/do not match/);
    expect(await storedText(account, other?.hash as string)).toBeNull();
  });

  it("checks wrangler's BLAKE3 hash: a file named by the sha-256 of the same input is refused", async () => {
    const account = await siteAccount();
    const file = fileOf("/index.html", "<h1>home</h1>");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${file.base64}html`));
    const sha256 = [...new Uint8Array(digest)]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("")
      .slice(0, 32);
    const forged = { ...file, hash: sha256 };
    const opened = await session(account, "site-a", [forged]);
    const error = await errorOf(await upload(account, opened.jwt, partsOf([forged])), 400);
    expect(error.message).toMatch(/do not match/);
    // The same bytes under their BLAKE3 hash are taken.
    const real = await session(account, "site-a", [file]);
    await resultOf(await upload(account, real.jwt, partsOf([file])), 201);
  });

  it("refuses a file the session did not ask for", async () => {
    const account = await siteAccount();
    const [asked, stranger] = await siteFiles();
    const opened = await session(account, "site-a", [asked as File]);
    const error = await errorOf(await upload(account, opened.jwt, partsOf([stranger as File])), 400);
    expect(error.message).toMatch(/not asked for/);
    expect(await storedText(account, stranger?.hash as string)).toBeNull();
  });

  it("refuses contents that are not base64, an upload without base64=true, and an empty upload", async () => {
    const account = await siteAccount();
    const [file] = await siteFiles();
    const opened = await session(account, "site-a", [file as File]);
    expect((await errorOf(await upload(account, opened.jwt, [[file?.hash as string, "@@@"]]), 400)).message).toMatch(
      /not base64/,
    );
    expect((await errorOf(await upload(account, opened.jwt, partsOf([file as File]), ""), 400)).message).toMatch(
      /base64=true/,
    );
    expect((await errorOf(await upload(account, opened.jwt, []), 400)).message).toMatch(/no files/);
  });
});

describe("the upload JWT", () => {
  async function opened() {
    const account = await siteAccount();
    const files = await siteFiles();
    return { account, files, session: await session(account, "site-a", files) };
  }

  it("is refused once expired", async () => {
    const { account, files, session: s } = await opened();
    const claims = await verifyAssetsJwt(env.EMULATOR_API_TOKEN, s.jwt, nowSeconds());
    const expired = await signAssetsJwt(env.EMULATOR_API_TOKEN, {
      ...(claims as NonNullable<typeof claims>),
      exp: nowSeconds() - 1,
    });
    expect(await errorOf(await upload(account, expired, partsOf(files)), 401)).toEqual({
      code: 10000,
      message: "Authentication error",
    });
  });

  it("is refused for another account (a foreign JWT)", async () => {
    const { files, session: s } = await opened();
    expect((await errorOf(await upload(freshAccount(), s.jwt, partsOf(files)), 401)).code).toBe(10000);
  });

  it("is refused when tampered with or signed with another secret", async () => {
    const { account, files, session: s } = await opened();
    const [header, payload, signature] = s.jwt.split(".") as [string, string, string];
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
    const longer = btoa(JSON.stringify({ ...claims, exp: claims.exp + 86400 }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    const tampered = `${header}.${longer}.${signature}`;
    expect((await errorOf(await upload(account, tampered, partsOf(files)), 401)).code).toBe(10000);
    const otherSecret = await signAssetsJwt("another emulator", claims);
    expect((await errorOf(await upload(account, otherSecret, partsOf(files)), 401)).code).toBe(10000);
    expect(await storedText(account, files[0]?.hash as string)).toBeNull();
  });

  it("is required: an API token or a completion JWT is not an upload JWT", async () => {
    const { account, files } = await opened();
    expect((await errorOf(await upload(account, "local-dev-token", partsOf(files)), 401)).code).toBe(10000);
    const first = await session(account, "site-c", files);
    await resultOf(await upload(account, first.jwt, partsOf(files)), 201);
    const completion = (await session(account, "site-d", files)).jwt;
    expect((await errorOf(await upload(account, completion, partsOf(files)), 401)).code).toBe(10000);
    const res = await call(acct("/workers/assets/upload?base64=true", account), { method: "POST", token: null });
    expect((await errorOf(res, 401)).code).toBe(10000);
  });
});

describe("a manifest the API refuses", () => {
  const hash = "0123456789abcdef0123456789abcdef";

  it.each([
    ["no manifest", {}],
    ["an empty manifest", { manifest: {} }],
    ["a path without a leading slash", { manifest: { "index.html": { hash, size: 1 } } }],
    ["a path with ..", { manifest: { "/a/../b.html": { hash, size: 1 } } }],
    ["a path with an empty segment", { manifest: { "/a//b.html": { hash, size: 1 } } }],
    ["a hash that is not 32 hex digits", { manifest: { "/a.html": { hash: "abc", size: 1 } } }],
    ["an upper-case hash", { manifest: { "/a.html": { hash: hash.toUpperCase(), size: 1 } } }],
    ["a negative size", { manifest: { "/a.html": { hash, size: -1 } } }],
    ["a fractional size", { manifest: { "/a.html": { hash, size: 1.5 } } }],
    ["a file over 25 MiB", { manifest: { "/big.bin": { hash, size: MAX_ASSET_SIZE + 1 } } }],
    ["an entry with unknown fields", { manifest: { "/a.html": { hash, size: 1, type: "text/html" } } }],
  ])("refuses %s with 400 and code 10014", async (_, body) => {
    const error = await errorOf(await openSession(await siteAccount(), "site-a", body), 400);
    expect(error.code).toBe(10014);
    expect(error.message).toMatch(/Invalid request body/);
  });

  it("refuses more files than the limit", async () => {
    const manifest = Object.fromEntries(
      Array.from({ length: MAX_ASSET_COUNT + 1 }, (_, i) => [`/f${i}.txt`, { hash, size: 1 }]),
    );
    const error = await errorOf(await openSession(await siteAccount(), "site-a", { manifest }), 400);
    expect(error.message).toMatch(/more than 20000 files/);
  });

  it("accepts a file of exactly 25 MiB", async () => {
    const opened = await session(await siteAccount(), "site-a", [
      { path: "/big.bin", base64: "", hash, size: MAX_ASSET_SIZE },
    ]);
    expect(opened.buckets).toEqual([[hash]]);
  });

  it("refuses a namespace that does not exist with 404/100119", async () => {
    const [file] = await siteFiles();
    const res = await helperOpenSession(await siteAccount(), "no-such-namespace", "site-a", {
      manifest: manifestOf([file as File]),
    });
    expect((await errorOf(res, 404)).code).toBe(100119);
  });

  it("refuses a body that is not JSON and an invalid script name", async () => {
    const res = await call(sessionPath(await siteAccount(), "site-a"), { method: "POST", body: "{manifest" });
    expect((await errorOf(res, 400)).code).toBe(10014);
    const [file] = await siteFiles();
    const bad = await openSession(await siteAccount(), "Not A Name", { manifest: manifestOf([file as File]) });
    expect((await errorOf(bad, 400)).code).toBe(10016);
  });
});
