/**
 * Bundles user-worker-template/ into the control plane's src/console/template-bundle.built.json
 * (scripts/lib/template-bundle.ts), the code the console gives a tenant created "from the
 * template". The control plane's wrangler configs run it as their custom build, so `wrangler dev`
 * and `wrangler deploy` bundle it first, and again when the template changes.
 */
import path from "node:path";
import { buildTemplateBundle, TEMPLATE_BUNDLE } from "./lib/template-bundle.ts";

if (await buildTemplateBundle()) process.stdout.write(`built ${path.relative(process.cwd(), TEMPLATE_BUNDLE)}\n`);
