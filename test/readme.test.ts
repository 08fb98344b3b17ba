import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configuredDevPort, PLATFORM_WORKERS } from "../scripts/lib/platform.ts";
import { isPortFree } from "../scripts/lib/ports.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type DevPlatform, startDevPlatform } from "./support/dev-platform.ts";
import { expectedPattern, extractWalkthrough, normalizeOutput, runCommand } from "./support/walkthrough.ts";

// The README's operator walkthrough, every command run as written, in order,
// against a fresh `npm run dev`: what a reader on a fresh clone would see.
//
// The commands name npm run dev's default ports (8787-8790), and the platform
// runs on those, rather than on free ports with the commands rewritten: what
// runs is then exactly what the README prints (a wrong port in it fails here),
// and `npx wfp` is run with its own default URL, as a reader runs it. CI runs
// on a clean machine; locally, a running `npm run dev` holds those ports, and
// the test says so and stops.

const README = path.join(REPO_ROOT, "README.md");
const STARTUP_TIMEOUT_MS = 180_000;
/** What one command may take; the slowest bundle the template and wait for an operation. */
const COMMAND_TIMEOUT_MS = 60_000;
const WALKTHROUGH_TIMEOUT_MS = 150_000;

const commands = extractWalkthrough(readFileSync(README, "utf8"));

/** Variables that would point the platform or the CLI elsewhere than where the README's commands go. */
const REDIRECTING_VARIABLES = [...PLATFORM_WORKERS.map((worker) => worker.portEnvVar), "WFP_API_URL", "WFP_API_TOKEN"];

function readerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of REDIRECTING_VARIABLES) delete env[name];
  // The project's pinned Node first, as npm scripts have it: `npx wfp` runs cli/wfp.ts with it.
  env.PATH = [path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH].join(path.delimiter);
  return env;
}

let workDir: string | undefined;
let platform: DevPlatform | undefined;

beforeAll(async () => {
  const missing = ["bash", "curl", "grep"].filter((tool) => spawnSync(tool, ["--version"]).status !== 0);
  if (missing.length > 0) throw new Error(`the README's commands need ${missing.join(", ")}, not found on PATH`);
  const taken: string[] = [];
  for (const worker of PLATFORM_WORKERS) {
    const port = configuredDevPort(worker);
    if (!(await isPortFree(port))) taken.push(`${port} (${worker.label})`);
  }
  if (taken.length > 0) {
    throw new Error(
      `test/readme.test.ts runs the README's commands as written, on npm run dev's default ports, and ${taken.join(", ")} ` +
        "is in use, probably by another `npm run dev`: stop it and run the test again",
    );
  }
  // A fresh clone: state and dev registry of its own, so the demo tenant is onboarded now.
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-readme-"));
  platform = await startDevPlatform(
    readerEnv({
      WFP_STATE_DIR: path.join(workDir, "state"),
      WRANGLER_REGISTRY_PATH: path.join(workDir, "registry"),
    }),
    STARTUP_TIMEOUT_MS,
  );
}, STARTUP_TIMEOUT_MS + 30_000);

afterAll(async () => {
  if (platform !== undefined) expect(await platform.stop()).toBe(0);
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}, 60_000);

describe("the README's walkthrough", () => {
  it("covers an operator's round: onboarding with curl and the CLI, a deploy, an own domain, analytics, deletion", () => {
    const script = commands.map((c) => c.command).join("\n");
    for (const step of [
      "curl -s http://demo.localhost:8787/",
      "curl -s http://127.0.0.1:8788/v1/tenants ",
      "npx wfp tenants create ",
      "npx wfp deploy ",
      "npx wfp tenants update acme --hostname acme.example.com",
      "npx wfp hostnames acme\n",
      "npm run publish-dns -- acme.example.com",
      "npx wfp hostnames acme --wait",
      "/__emulator/analytics/",
      "npx wfp tenants delete acme --wait",
    ]) {
      expect(script).toContain(step);
    }
    expect(commands[0]?.command, "the first command is the demo tenant's").toBe("curl -s http://demo.localhost:8787/");
    // The own domain answers 503 hostname_pending before its records are published, the tenant after.
    const publishing = commands.findIndex((c) => c.command === "npm run publish-dns -- acme.example.com");
    const onOwnDomain = (c: (typeof commands)[number], answer: string) =>
      c.command.includes("-H 'Host: acme.example.com'") && c.expected?.includes(answer) === true;
    expect(
      commands.slice(0, publishing).some((c) => onOwnDomain(c, "hostname_pending")),
      "before its records are published, acme.example.com is shown answering hostname_pending",
    ).toBe(true);
    expect(
      commands.slice(publishing).some((c) => onOwnDomain(c, '"tenant":"acme"')),
      "once they are, it is shown serving acme",
    ).toBe(true);
    // After the deletion, each of acme's hostnames, the custom one included, is shown answering 404.
    const deletion = commands.findIndex((c) => c.command === "npx wfp tenants delete acme --wait");
    const afterDeletion = commands.slice(deletion + 1);
    for (const host of ["http://acme.localhost:8787/", "-H 'Host: acme.example.com'"]) {
      expect(
        afterDeletion.some((c) => c.command.includes(host) && c.expected === "404"),
        `a command after the deletion shows ${host} answering 404`,
      ).toBe(true);
    }
    // ... and its custom hostname is gone from the platform's zone at the emulator.
    expect(
      afterDeletion.some(
        (c) => c.command.includes("/custom_hostnames?hostname=acme.example.com") && c.expected?.includes('"result":[]'),
      ),
      "a command after the deletion lists acme.example.com's custom hostnames: none",
    ).toBe(true);
    expect(commands.filter((c) => c.expected !== null).length).toBeGreaterThanOrEqual(10);
  });

  it(
    "runs every command as written, in order, and each prints what the README shows",
    async () => {
      const printed = platform?.output ?? [];
      for (const { line, command, expected } of commands) {
        const printedBefore = printed.length;
        const run = await runCommand(command, { cwd: REPO_ROOT, env: readerEnv(), timeoutMs: COMMAND_TIMEOUT_MS });
        const report = [
          `README.md:${line}:`,
          command,
          run.timedOut ? `(killed after ${COMMAND_TIMEOUT_MS} ms)` : `exit ${run.code}`,
          `stdout:\n${run.stdout}`,
          `stderr:\n${run.stderr}`,
          `npm run dev printed meanwhile:\n${printed.slice(printedBefore).join("\n")}`,
        ].join("\n");
        expect(run.timedOut, report).toBe(false);
        expect(run.code, report).toBe(0);
        if (expected !== null) expect(normalizeOutput(run.stdout), report).toMatch(expectedPattern(expected));
      }
    },
    WALKTHROUGH_TIMEOUT_MS,
  );
});
