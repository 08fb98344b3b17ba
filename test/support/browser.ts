import { accessSync, constants } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";

/**
 * A real Chromium for the browser tests, driven by playwright-core (which downloads no browser):
 * the one named by CHROMIUM_PATH, else Debian's `chromium` (or Ubuntu's `chromium-browser`) on PATH.
 */
export const CHROMIUM_PATH_VAR = "CHROMIUM_PATH";
/** `CONSOLE_SCREENSHOTS=docs` writes the screenshots the tests take to docs/ (the README shows them). */
export const SCREENSHOTS_VAR = "CONSOLE_SCREENSHOTS";

const BROWSER_NAMES = ["chromium", "chromium-browser"];
/** What an action or an expectation waits for at most: generous, the platform shares 2 cores. */
export const BROWSER_TIMEOUT_MS = 60_000;

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The browser to run, or an error saying how to get one: the browser tests fail without it, never skip. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[CHROMIUM_PATH_VAR];
  if (named !== undefined && named !== "") {
    if (isExecutable(named)) return named;
    throw new Error(`${CHROMIUM_PATH_VAR}=${named} is not an executable file`);
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of BROWSER_NAMES) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(
    "The console's browser tests need Chromium, and none was found on PATH: install it " +
      "(`sudo apt-get install chromium` on Debian/Ubuntu), or set " +
      `${CHROMIUM_PATH_VAR} to another Chrome or Chromium binary.`,
  );
}

export type FileBrowser = {
  readonly browser: Browser;
  /** A new browser profile (cookies of its own), its actions and expectations waiting up to BROWSER_TIMEOUT_MS. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a new context. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
};

/** One headless Chromium for the test file: launched before its tests, closed after them. */
export function browserForFile(): FileBrowser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumExecutable(), headless: true });
  }, BROWSER_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
  });
  const get = (): Browser => {
    if (browser === undefined) throw new Error("the browser is not started: use it in a test or a later hook");
    return browser;
  };
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await get().newContext(options);
    context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    return context;
  };
  return {
    get browser() {
      return get();
    },
    newContext,
    newPage: async (options) => (await newContext(options)).newPage(),
  };
}

/**
 * Where the file's screenshots go: docs/console-<name>.png with CONSOLE_SCREENSHOTS=docs, else a
 * temporary folder deleted after the file's tests, so `npm test` leaves the work tree as it was.
 */
export function screenshotsForFile(): (page: Page, name: string) => Promise<string> {
  const toDocs = process.env[SCREENSHOTS_VAR] === "docs";
  let dir: string | undefined;
  beforeAll(async () => {
    dir = toDocs ? path.join(REPO_ROOT, "docs") : await mkdtemp(path.join(tmpdir(), "wfp-console-screenshots-"));
    await mkdir(dir, { recursive: true });
  });
  afterAll(async () => {
    if (!toDocs && dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return async (page, name) => {
    if (dir === undefined) throw new Error("screenshots are taken in a test");
    const file = path.join(dir, `console-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
}
