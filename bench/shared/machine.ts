import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import path from "node:path";
import { REPO_ROOT, WRANGLER_BIN } from "../../scripts/lib/wrangler-dev.ts";

/** The machine and the versions a bench ran on, as each bench's report states them. */
export type Machine = {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  wrangler: string;
  workerd: string;
};

function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export function describeMachine(workerd: string): Machine {
  const all = cpus();
  return {
    cpu: all[0]?.model.trim() ?? "unknown",
    cores: all.length,
    ramGiB: totalmem() / 2 ** 30,
    os: `${process.platform} ${release()}`,
    node: process.version,
    wrangler: packageVersion("wrangler"),
    workerd,
  };
}

/** The workerd wrangler runs: its own dependency, whose package says its version. */
export function workerdVersion(): string {
  const pkg = path.join(
    path.dirname(WRANGLER_BIN),
    "..",
    "node_modules",
    "@cloudflare",
    `workerd-${process.platform}-64`,
  );
  try {
    const manifest = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")) as {
      name: string;
      version: string;
    };
    return `${manifest.name}@${manifest.version}`;
  } catch {
    return "workerd (version unknown)";
  }
}
