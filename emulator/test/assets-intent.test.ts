import { describe, expect, it } from "vitest";
import type { HtmlHandling, NotFoundHandling } from "../../cloudflare-api/assets";
import { type Intent, intentFor } from "../src/assets/intent";

// The path rules alone (src/assets/intent.ts), on the cases production's asset worker documents in
// its comments: which file answers, which spelling is redirected, and where a redirect is not made.

/** Each file's hash is its own path, so an answer names the file it serves. */
const lookupIn = (paths: string[]) => (path: string) => (paths.includes(path) ? `#${path}` : null);

const intentOf = (
  files: string[],
  path: string,
  htmlHandling: HtmlHandling = "auto-trailing-slash",
  notFoundHandling: NotFoundHandling = "none",
): Intent => intentFor(path, { htmlHandling, notFoundHandling }, lookupIn(files));

const served = (path: string, status: 200 | 404 = 200): Intent => ({ asset: { hash: `#${path}`, path, status } });
const redirect = (to: string): Intent => ({ redirect: to });

describe("auto-trailing-slash", () => {
  const files = ["/index.html", "/foo.html", "/bar/index.html", "/both.html", "/both/index.html", "/index"];

  it.each([
    ["/", served("/index.html")],
    ["/foo", served("/foo.html")],
    ["/foo.html", redirect("/foo")],
    ["/foo/", redirect("/foo")],
    ["/bar/", served("/bar/index.html")],
    ["/bar", redirect("/bar/")],
    ["/bar/index.html", redirect("/bar/")],
    ["/bar/index", redirect("/bar/")],
    // A binary file named index is itself.
    ["/index", served("/index")],
    // With both /both.html and /both/index.html, each spelling keeps its own file.
    ["/both", served("/both.html")],
    ["/both/", served("/both/index.html")],
    ["/nothing", null],
  ])("%s", (path, intent) => {
    expect(intentOf(files, path)).toEqual(intent);
  });
});

describe("force-trailing-slash and drop-trailing-slash", () => {
  const files = ["/index.html", "/foo.html", "/bar/index.html", "/both.html", "/both/index.html"];

  it.each([
    ["/foo", redirect("/foo/")],
    ["/foo/", served("/foo.html")],
    ["/foo.html", redirect("/foo/")],
    ["/bar", redirect("/bar/")],
    ["/bar/", served("/bar/index.html")],
    // Both exist: /both.html is served at its own path only.
    ["/both.html", served("/both.html")],
  ])("force: %s", (path, intent) => {
    expect(intentOf(files, path, "force-trailing-slash")).toEqual(intent);
  });

  it.each([
    ["/", served("/index.html")],
    ["/index.html", redirect("/")],
    ["/foo", served("/foo.html")],
    ["/foo/", redirect("/foo")],
    ["/bar", served("/bar/index.html")],
    ["/bar/", redirect("/bar")],
    ["/bar/index.html", redirect("/bar")],
    // Both exist: /both/index.html is served at its own path only.
    ["/both/index.html", served("/both/index.html")],
  ])("drop: %s", (path, intent) => {
    expect(intentOf(files, path, "drop-trailing-slash")).toEqual(intent);
  });
});

describe("none, and not_found_handling", () => {
  it("serves exact paths only with none", () => {
    expect(intentOf(["/foo.html"], "/foo", "none")).toBeNull();
    expect(intentOf(["/foo.html"], "/foo.html", "none")).toEqual(served("/foo.html"));
  });

  it("serves /index.html for any missing path of an SPA, and nothing when it has none", () => {
    expect(intentOf(["/index.html"], "/deep/link", "auto-trailing-slash", "single-page-application")).toEqual(
      served("/index.html"),
    );
    expect(intentOf(["/app.js"], "/deep/link", "auto-trailing-slash", "single-page-application")).toBeNull();
  });

  it("serves the nearest 404.html up the path with 404, the root's last", () => {
    const files = ["/404.html", "/docs/404.html"];
    expect(intentOf(files, "/docs/a/b", "none", "404-page")).toEqual(served("/docs/404.html", 404));
    expect(intentOf(files, "/blog/x", "none", "404-page")).toEqual(served("/404.html", 404));
    expect(intentOf(files, "/", "none", "404-page")).toEqual(served("/404.html", 404));
    expect(intentOf(["/docs/404.html"], "/blog/x", "none", "404-page")).toBeNull();
  });

  it("redirects only to a path that would serve the same file, never to one the 404 page would answer", () => {
    // /gone/ goes to /gone, which gone.html answers; /gone.html, with no such file, is not sent to /gone.
    expect(intentOf(["/404.html", "/gone.html"], "/gone/", "auto-trailing-slash", "404-page")).toEqual(
      redirect("/gone"),
    );
    expect(intentOf(["/404.html"], "/gone.html", "auto-trailing-slash", "404-page")).toEqual(served("/404.html", 404));
  });
});
