#!/usr/bin/env node
/**
 * `wfp`: the platform operators' command line, a client of the control
 * plane's `/v1` API (see README.md). Run with the project's pinned Node, which
 * runs TypeScript as is: `npx wfp ...` or `npm run wfp -- ...`.
 */
import { registerHooks } from "node:module";

// The API contract (platform/, cloudflare-api/) is shared with the Workers, whose
// bundler resolves `./plans` to `./plans.ts`; Node resolves only exact paths.
// Retrying a relative import that names no file with `.ts` is that same rule.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relativeWithoutExtension = /^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier);
      if (!relativeWithoutExtension || (error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
      return nextResolve(`${specifier}.ts`, context);
    }
  },
});

// Imported only now: the hook must be in place before the contract is loaded.
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
