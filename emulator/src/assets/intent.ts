import type { HtmlHandling, NotFoundHandling } from "../../../cloudflare-api/assets";

/**
 * Which file answers a path, and how, as production's asset worker decides it (workers-sdk,
 * `packages/workers-shared/asset-worker/src/handler.ts`: its `html_handling` and `not_found_handling`),
 * over a manifest lookup. Behaviour mirrored; the rules are written here as ordered steps.
 */

/** A file to serve: its content hash, the path it is at in the manifest (its type comes from that), and the status. */
export interface FoundAsset {
  hash: string;
  path: string;
  status: 200 | 404;
}

/** A file, a redirect to the canonical path of one (307), or nothing. */
export type Intent = { asset: FoundAsset } | { redirect: string } | null;

/** The content hash of the file at a path, or null. */
export type Lookup = (path: string) => string | null;

export interface IntentRules {
  htmlHandling: HtmlHandling;
  notFoundHandling: NotFoundHandling;
}

/** `serve`: the file at `file`, if there is one, answers the path as it is; `redirect`: send the client to `to`. */
type Step = { serve: string } | { redirect: { file: string; to: string } };

const serve = (file: string): Step => ({ serve: file });
const redirect = (file: string, to: string): Step => ({ redirect: { file, to } });

/** `path` without `suffix` at its end (which it has). */
const cut = (path: string, suffix: string) => path.slice(0, path.length - suffix.length);

/** The steps of `auto-trailing-slash`: `/a/` for a folder's index.html, `/a` for a.html, each redirected to. */
function autoTrailingSlash(path: string): Step[] {
  let special: Step[] = [];
  if (path.endsWith("/index")) {
    special = [
      serve(path),
      redirect(`${path}.html`, cut(path, "index")),
      redirect(`${cut(path, "/index")}.html`, cut(path, "/index")),
    ];
  } else if (path.endsWith("/index.html")) {
    special = [
      redirect(path, cut(path, "index.html")),
      redirect(`${cut(path, "/index.html")}.html`, cut(path, "/index.html")),
    ];
  } else if (path.endsWith("/")) {
    special = [serve(`${path}index.html`), redirect(`${cut(path, "/")}.html`, cut(path, "/"))];
  } else if (path.endsWith(".html")) {
    special = [
      redirect(path, cut(path, ".html")),
      redirect(`${cut(path, ".html")}/index.html`, `${cut(path, ".html")}/`),
    ];
  }
  return [...special, serve(path), serve(`${path}.html`), redirect(`${path}/index.html`, `${path}/`)];
}

/** The steps of `force-trailing-slash`: every HTML page at a path ending in `/`. */
function forceTrailingSlash(path: string): Step[] {
  let special: Step[] = [];
  if (path.endsWith("/index")) {
    special = [
      serve(path),
      redirect(`${path}.html`, cut(path, "index")),
      redirect(`${cut(path, "/index")}.html`, cut(path, "index")),
    ];
  } else if (path.endsWith("/index.html")) {
    special = [
      redirect(path, cut(path, "index.html")),
      redirect(`${cut(path, "/index.html")}.html`, cut(path, "index.html")),
    ];
  } else if (path.endsWith("/")) {
    special = [serve(`${path}index.html`), serve(`${cut(path, "/")}.html`)];
  } else if (path.endsWith(".html")) {
    // With both /a.html and /a/index.html, /a.html is served as itself.
    special = [
      redirect(path, `${cut(path, ".html")}/`),
      serve(path),
      redirect(`${cut(path, ".html")}/index.html`, `${cut(path, ".html")}/`),
    ];
  }
  return [...special, serve(path), redirect(`${path}.html`, `${path}/`), redirect(`${path}/index.html`, `${path}/`)];
}

/** The steps of `drop-trailing-slash`: every HTML page at a path without a trailing `/` (but `/` itself). */
function dropTrailingSlash(path: string): Step[] {
  let special: Step[] = [];
  if (path.endsWith("/index")) {
    special =
      path === "/index"
        ? [serve(path), redirect("/index.html", "/")]
        : [
            serve(path),
            redirect(`${cut(path, "/index")}.html`, cut(path, "/index")),
            redirect(`${path}.html`, cut(path, "/index")),
          ];
  } else if (path.endsWith("/index.html")) {
    // With both /a.html and /a/index.html, /a/index.html is served as itself.
    special =
      path === "/index.html"
        ? [redirect(path, "/")]
        : [
            redirect(path, cut(path, "/index.html")),
            serve(path),
            redirect(`${cut(path, "/index.html")}.html`, cut(path, "/index.html")),
          ];
  } else if (path.endsWith("/")) {
    special =
      path === "/"
        ? [serve("/index.html")]
        : [
            redirect(`${cut(path, "/")}.html`, cut(path, "/")),
            redirect(`${cut(path, "/")}/index.html`, cut(path, "/")),
          ];
  } else if (path.endsWith(".html")) {
    special = [redirect(path, cut(path, ".html")), redirect(`${cut(path, ".html")}/index.html`, cut(path, ".html"))];
  }
  return [...special, serve(path), serve(`${path}.html`), serve(`${path}/index.html`)];
}

const STEPS: Record<HtmlHandling, (path: string) => Step[]> = {
  "auto-trailing-slash": autoTrailingSlash,
  "force-trailing-slash": forceTrailingSlash,
  "drop-trailing-slash": dropTrailingSlash,
  none: (path) => [serve(path)],
};

/** What answers a path no file matched: `/index.html` (an SPA), the nearest `404.html` up the path (with 404), or nothing. */
function notFound(path: string, rules: IntentRules, lookup: Lookup): Intent {
  if (rules.notFoundHandling === "single-page-application") {
    const hash = lookup("/index.html");
    return hash === null ? null : { asset: { hash, path: "/index.html", status: 200 } };
  }
  if (rules.notFoundHandling === "404-page") {
    for (let dir = path.slice(0, path.lastIndexOf("/")); ; dir = dir.slice(0, dir.lastIndexOf("/"))) {
      const page = `${dir}/404.html`;
      const hash = lookup(page);
      if (hash !== null) return { asset: { hash, path: page, status: 404 } };
      if (dir === "") return null;
    }
  }
  return null;
}

/**
 * The intent for a decoded path. A redirect step applies only when the destination is not itself a file
 * and would be answered (redirects not followed) by the very file the step names: so a redirect never
 * lands on something else, and never loops. `redirects: false` is that check's own evaluation.
 */
export function intentFor(path: string, rules: IntentRules, lookup: Lookup, redirects = true): Intent {
  for (const step of STEPS[rules.htmlHandling](path)) {
    if ("serve" in step) {
      const hash = lookup(step.serve);
      if (hash !== null) return { asset: { hash, path: step.serve, status: 200 } };
      continue;
    }
    if (!redirects) continue;
    const { file, to } = step.redirect;
    if (lookup(to) !== null) continue;
    const target = intentFor(to, rules, lookup, false);
    const hash = lookup(file);
    if (target !== null && "asset" in target && hash !== null && target.asset.hash === hash) return { redirect: to };
  }
  return notFound(path, rules, lookup);
}
