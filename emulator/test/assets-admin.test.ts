import { describe, expect, it } from "vitest";
import { type AssetFile, fileOf, freshAccountWith, partsOf, session, siteFiles, uploadAssets } from "./assets-helpers";
import { call, errorOf, json, resultOf } from "./helpers";

// `GET /__emulator/assets/:account_id`, and injected faults on the assets upload route.

type AssetsState = {
  files: { hash: string; size: number }[];
  uploaded: { hash: string; size: number; at: string }[];
};

const assetsState = async (account: string) => resultOf<AssetsState>(await call(`/__emulator/assets/${account}`));

/** Opens a session for `files` and uploads what it asks for in one call; answers that call. */
async function deployFiles(account: string, files: AssetFile[]): Promise<Response> {
  const opened = await session(account, "sites", "site", files);
  const asked = new Set(opened.buckets.flat());
  return uploadAssets(account, opened.jwt, partsOf(files.filter((f) => asked.has(f.hash))));
}

describe("GET /__emulator/assets/:account_id", () => {
  it("shows the account's files and each file the upload route took: a second deploy with one change took one", async () => {
    const account = await freshAccountWith("sites");
    expect(await assetsState(account)).toEqual({ files: [], uploaded: [] });
    const files = await siteFiles();
    await resultOf(await deployFiles(account, files), 201);
    const first = await assetsState(account);
    expect(first.uploaded.map((f) => f.hash).sort()).toEqual(files.map((f) => f.hash).sort());
    expect(first.files).toEqual(
      files.map((f) => ({ hash: f.hash, size: f.size })).sort((a, b) => a.hash.localeCompare(b.hash)),
    );
    expect(first.uploaded[0]?.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const changed = fileOf("/index.html", "<h1>home, again</h1>");
    await resultOf(await deployFiles(account, [changed, ...files.slice(1)]), 201);
    const second = await assetsState(account);
    expect(second.uploaded).toHaveLength(files.length + 1);
    expect(second.uploaded.at(-1)).toMatchObject({ hash: changed.hash, size: changed.size });
    expect(second.files).toHaveLength(files.length + 1);
  });

  it("needs the API token and a 32-hex account id", async () => {
    expect((await call(`/__emulator/assets/${"0".repeat(32)}`, { token: null })).status).toBe(400);
    expect((await errorOf(await call("/__emulator/assets/not-an-account"), 400)).code).toBe(10014);
  });
});

describe("faults on the assets upload route (authorised by its JWT, not an API token)", () => {
  const faultOn = (account: string, action: unknown) =>
    call("/__emulator/faults", json("POST", { path: `/accounts/${account}/workers/assets/upload`, action }));

  it("fail: the call is refused before it stores anything, and the next one goes through", async () => {
    const account = await freshAccountWith("sites");
    await resultOf(await faultOn(account, { kind: "fail", status: 503, code: 10013, message: "try later" }));
    const files = await siteFiles();
    const refused = await deployFiles(account, files);
    expect(await errorOf(refused, 503)).toEqual({ code: 10013, message: "try later" });
    expect((await assetsState(account)).files).toEqual([]);
    await resultOf(await deployFiles(account, files), 201);
  });

  it("lose: the files are stored, the answer is lost", async () => {
    const account = await freshAccountWith("sites");
    await resultOf(await faultOn(account, { kind: "lose" }));
    const files = await siteFiles();
    expect((await deployFiles(account, files)).status).toBe(504);
    expect((await assetsState(account)).files).toHaveLength(files.length);
  });
});
