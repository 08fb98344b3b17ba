import type { TestProject } from "vitest/node";
import { build, builtWorker } from "../../scripts/lib/worker-build.ts";

/**
 * The global setup of the projects whose tests run platform Workers next to the one under test
 * (auxiliary-workers.ts): builds the Workers the project's config lists, as miniflare needs them.
 */
export default async function setup(project: TestProject): Promise<void> {
  const configPaths = project.config.provide?.auxiliaryWorkers ?? [];
  await Promise.all(configPaths.map((configPath) => build(builtWorker(configPath))));
}
