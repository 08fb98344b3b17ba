import type { Env } from "../env";
import { servedManifest } from "./manifests";
import { type AssetsSite, requestIntent, serveAssets } from "./serve";

/**
 * Whether a dispatched request goes to a script's assets or to its Worker, as production's router
 * worker decides it (workers-sdk `router-worker/src/worker.ts`): `run_worker_first: true` sends
 * everything to the Worker; its rules send the paths they match to the Worker, the `!` ones to the
 * assets; otherwise a path the assets have goes to them without running the Worker, and one they
 * lack runs the Worker. A script with no Worker is all assets.
 */

/** A version's assets as the dispatch path routes to them. */
export interface AssetsRoute extends AssetsSite {
  /** `Sec-Fetch-Mode: navigate` requests get `not_found_handling` before the Worker (below). */
  navigationPrefersAssets: boolean;
}

/**
 * Production's asset compatibility flag `assets_navigation_prefers_asset_serving`, on by default from
 * 2025-04-01 (`assets_navigation_has_no_effect` turns it off): a browser's navigation to a path no file
 * matches is answered by `not_found_handling` (an SPA's index.html) rather than by the Worker.
 */
export function navigationPrefersAssets(compatibilityDate: string, compatibilityFlags: readonly string[]): boolean {
  if (compatibilityFlags.includes("assets_navigation_prefers_asset_serving")) return true;
  if (compatibilityFlags.includes("assets_navigation_has_no_effect")) return false;
  return compatibilityDate >= "2025-04-01";
}

/** A `run_worker_first` rule as a pattern over the path: `*` matches anything, all else is literal. */
function ruleMatches(rule: string, pathname: string): boolean {
  const source = rule
    .split("*")
    .map((part) => part.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(pathname);
}

type Destination = "assets" | "worker";

/** What the rules of `run_worker_first` say of a path, if anything: exclusions (`!/…`) first. */
function staticRouting(rules: readonly string[], pathname: string): Destination | undefined {
  const excluded = rules.filter((r) => r.startsWith("!")).map((r) => r.slice(1));
  if (excluded.some((rule) => ruleMatches(rule, pathname))) return "assets";
  const included = rules.filter((r) => !r.startsWith("!"));
  if (included.some((rule) => ruleMatches(rule, pathname))) return "worker";
  return undefined;
}

/**
 * Whether the assets take a request the rules left open: they have something for its path (a file,
 * a redirect to one, or a 405 for its method). `not_found_handling` counts only with rules
 * (production's `has_static_routing`) or for a navigation that prefers assets.
 */
async function assetsTake(env: Env, route: AssetsRoute, request: Request): Promise<boolean> {
  const withRules = Array.isArray(route.config.run_worker_first);
  const navigation = route.navigationPrefersAssets && request.headers.get("sec-fetch-mode") === "navigate";
  const notFound = withRules || navigation ? (route.config.not_found_handling ?? "none") : "none";
  const manifest = await servedManifest(env, route.accountId, route.manifest);
  return requestIntent(new URL(request.url), manifest, route.config, notFound) !== null;
}

/** Answers a dispatched request from the assets or with `runWorker` (null: the script has no Worker). */
export async function routeToAssetsOrWorker(
  env: Env,
  route: AssetsRoute,
  request: Request,
  runWorker: (() => Promise<Response>) | null,
): Promise<Response> {
  if (runWorker === null) return serveAssets(env, route, request);
  const rules = route.config.run_worker_first;
  if (rules === true) return runWorker();
  const decided = Array.isArray(rules) ? staticRouting(rules, new URL(request.url).pathname) : undefined;
  if (decided === "worker") return runWorker();
  if (decided === "assets" || (await assetsTake(env, route, request))) return serveAssets(env, route, request);
  return runWorker();
}
