import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_PATH_VAR, chromiumExecutable } from "../support/browser.ts";

// Without a browser the console's browser tests fail, saying how to get one; they never skip.

let dir: string;
let fakeChromium: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "wfp-chromium-"));
  fakeChromium = path.join(dir, "chromium");
  await writeFile(fakeChromium, "#!/bin/sh\n");
  await chmod(fakeChromium, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the browser the console's tests drive", () => {
  it("is CHROMIUM_PATH when set, else chromium on PATH", () => {
    expect(chromiumExecutable({ [CHROMIUM_PATH_VAR]: fakeChromium, PATH: "" })).toBe(fakeChromium);
    expect(chromiumExecutable({ PATH: ["/nowhere", dir].join(path.delimiter) })).toBe(fakeChromium);
  });

  it("missing, is an error saying how to install one or name another", () => {
    expect(() => chromiumExecutable({ PATH: "/nowhere" })).toThrow(
      /need Chromium.*`sudo apt-get install chromium` on Debian\/Ubuntu.*set CHROMIUM_PATH/,
    );
    expect(() => chromiumExecutable({ [CHROMIUM_PATH_VAR]: path.join(dir, "absent"), PATH: dir })).toThrow(
      /CHROMIUM_PATH=.*absent is not an executable file/,
    );
  });
});
