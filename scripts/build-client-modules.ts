/**
 * Builds the emulator's client modules (`emulator/src/**\/*.client.ts` into the
 * `*.client.built.js` beside each; see scripts/lib/client-modules.ts). The
 * emulator's wrangler config runs it as its custom build, so `wrangler dev`
 * and `wrangler deploy` build them first, and again when a source changes.
 */
import path from "node:path";
import { buildClientModules } from "./lib/client-modules.ts";

const written = await buildClientModules();
for (const file of written) process.stdout.write(`built ${path.relative(process.cwd(), file)}\n`);
