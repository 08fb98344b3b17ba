import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/**
 * Copies of a fixture project whose wrangler.toml is edited, for a test that deploys the same
 * code with another config; each in a temporary folder removed after the file's tests.
 */
export function fixtureCopies(fixtureDir: string) {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  /** A copy of the fixture whose wrangler.toml is `edit` of the fixture's (which must change it). */
  return async (edit: (toml: string) => string): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), `wfp-${path.basename(fixtureDir)}-`));
    dirs.push(dir);
    await cp(fixtureDir, dir, { recursive: true });
    const configPath = path.join(dir, "wrangler.toml");
    const toml = await readFile(configPath, "utf8");
    const edited = edit(toml);
    if (edited === toml) throw new Error(`the edit left ${fixtureDir}/wrangler.toml as it was`);
    await writeFile(configPath, edited);
    return dir;
  };
}
