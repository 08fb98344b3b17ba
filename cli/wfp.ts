#!/usr/bin/env node
/**
 * `wfp`: the platform operators' command line, a client of the control
 * plane's `/v1` API (see README.md). Run with the project's pinned Node, which
 * runs TypeScript as is: `npx wfp ...` or `npm run wfp -- ...`.
 */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2));
