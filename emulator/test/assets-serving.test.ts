import { describe, expect, it } from "vitest";
import type { AssetsConfig } from "../../cloudflare-api/assets";
import { type AssetFile, completedUpload, fileOf, freshAccount } from "./assets-helpers";
import { call, json, resultOf } from "./helpers";
import { createNamespace, scriptPath, upload } from "./scripts-helpers";
import { dispatch, namespaceBinding } from "./tenant";

// A script's static assets answered through the dispatch namespace as production's router and asset
// workers answer them: matching paths without running the Worker, html_handling, not_found_handling,
// run_worker_first, ETags and conditional requests, and env.ASSETS.fetch() from the Worker.

/** Answers every request itself, naming the path, so a response from the assets cannot be mistaken for its. */
const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/via-binding/")) {
      return env.ASSETS.fetch(new Request(new URL(url.pathname.slice("/via-binding".length), url), request));
    }
    return new Response("worker " + url.pathname, { headers: { "x-from": "worker" } });
  },
};`;

const SITE: [string, string][] = [
  ["/index.html", "<h1>home</h1>"],
  ["/blog/post.html", "<p>post</p>"],
  ["/docs/index.html", "<p>docs</p>"],
  ["/logo.svg", "<svg></svg>"],
  ["/notes.txt", "notes"],
  ["/LICENSE", "MIT"],
  ["/404.html", "<p>not here</p>"],
  ["/blog/404.html", "<p>no such post</p>"],
  ["/api/data.json", '{"from":"assets"}'],
];

interface Site {
  get(path: string, init?: RequestInit): Promise<Response>;
  files: Map<string, AssetFile>;
}

/** Deploys WORKER (or no binding) with SITE's files and `config`, and answers a way to request it through the namespace. */
async function deploySite(config: AssetsConfig = {}, compatibilityDate = "2025-06-01"): Promise<Site> {
  const account = freshAccount();
  const namespace = await createNamespace("site", account);
  const files = SITE.map(([path, contents]) => fileOf(path, contents));
  const jwt = await completedUpload(account, namespace, "site", files);
  const metadata = {
    main_module: "index.js",
    compatibility_date: compatibilityDate,
    assets: { jwt, config },
    bindings: [{ type: "assets" as const, name: "ASSETS" }],
  };
  await resultOf(await upload(namespace, "site", metadata, { "index.js": { code: WORKER } }, { account }));
  const binding = namespaceBinding(namespace, { accountId: account });
  return {
    // As an incoming request is: a redirect is the client's to follow.
    get: (path, init) =>
      dispatch(
        namespace,
        "site",
        new Request(`https://tenant.example${path}`, { redirect: "manual", ...init }),
        {},
        binding,
      ),
    files: new Map(files.map((f) => [f.path, f])),
  };
}

const etagOf = (site: Site, path: string) => `"${site.files.get(path)?.hash}"`;
const NAVIGATE = { headers: { "sec-fetch-mode": "navigate" } };

describe("a dispatched request to a script with assets", () => {
  it("is answered from a matching file without running the Worker, with production's headers", async () => {
    const site = await deploySite();
    const res = await site.get("/logo.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-from")).toBeNull();
    expect(await res.text()).toBe("<svg></svg>");
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("etag")).toBe(etagOf(site, "/logo.svg"));
    expect(res.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
    expect((await site.get("/notes.txt")).headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const home = await site.get("/");
    expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await home.text()).toBe("<h1>home</h1>");
    // An extension wrangler knows no type for: no Content-Type, as production serves it.
    const license = await site.get("/LICENSE");
    expect(await license.text()).toBe("MIT");
    expect(license.headers.get("content-type")).toBeNull();
  });

  it("runs the Worker for a path no file matches", async () => {
    const site = await deploySite();
    const res = await site.get("/api/users");
    expect(res.headers.get("x-from")).toBe("worker");
    expect(await res.text()).toBe("worker /api/users");
  });

  it("answers If-None-Match with the file's ETag, strong or weak, with 304 and no body; another ETag gets the file", async () => {
    const site = await deploySite();
    const etag = etagOf(site, "/logo.svg");
    for (const match of [etag, `W/${etag}`]) {
      const res = await site.get("/logo.svg", { headers: { "if-none-match": match } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
    }
    expect((await site.get("/logo.svg", { headers: { "if-none-match": '"other"' } })).status).toBe(200);
  });

  it("answers HEAD with the headers and no body, and other methods on a file with 405", async () => {
    const site = await deploySite();
    const head = await site.get("/logo.svg", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etagOf(site, "/logo.svg"));
    expect(await head.text()).toBe("");
    expect((await site.get("/logo.svg", { method: "POST", body: "x" })).status).toBe(405);
    // A request with credentials is not for browsers' caches.
    const authorised = await site.get("/logo.svg", { headers: { authorization: "Bearer x" } });
    expect(authorised.headers.get("cache-control")).toBeNull();
  });

  it("sends a path spelled otherwise than its canonical encoding to that spelling (307)", async () => {
    const site = await deploySite();
    const res = await site.get("//logo.svg?v=1");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/logo.svg?v=1");
  });
});

describe("html_handling", () => {
  const redirected = async (site: Site, path: string) => {
    const res = await site.get(path);
    expect(res.status, path).toBe(307);
    return res.headers.get("location");
  };

  it("auto-trailing-slash (the default): a.html at /a, a/index.html at /a/, the other spellings redirected", async () => {
    const site = await deploySite();
    expect(await (await site.get("/blog/post")).text()).toBe("<p>post</p>");
    expect(await (await site.get("/docs/")).text()).toBe("<p>docs</p>");
    expect(await redirected(site, "/blog/post.html?x=1")).toBe("/blog/post?x=1");
    expect(await redirected(site, "/blog/post/")).toBe("/blog/post");
    expect(await redirected(site, "/docs")).toBe("/docs/");
    expect(await redirected(site, "/docs/index.html")).toBe("/docs/");
    expect(await redirected(site, "/index.html")).toBe("/");
  });

  it("force-trailing-slash: every page at a path ending in /", async () => {
    const site = await deploySite({ html_handling: "force-trailing-slash" });
    expect(await redirected(site, "/blog/post")).toBe("/blog/post/");
    expect(await (await site.get("/blog/post/")).text()).toBe("<p>post</p>");
    expect(await (await site.get("/docs/")).text()).toBe("<p>docs</p>");
  });

  it("drop-trailing-slash: every page at a path without one, but /", async () => {
    const site = await deploySite({ html_handling: "drop-trailing-slash" });
    expect(await redirected(site, "/docs/")).toBe("/docs");
    expect(await (await site.get("/docs")).text()).toBe("<p>docs</p>");
    expect(await (await site.get("/")).text()).toBe("<h1>home</h1>");
  });

  it("none: exact paths only, the rest to the Worker", async () => {
    const site = await deploySite({ html_handling: "none" });
    expect(await (await site.get("/blog/post.html")).text()).toBe("<p>post</p>");
    expect(await (await site.get("/blog/post")).text()).toBe("worker /blog/post");
  });
});

describe("not_found_handling", () => {
  it("404-page: the Worker answers a missing path; a navigation gets the nearest 404.html with 404", async () => {
    const site = await deploySite({ not_found_handling: "404-page" });
    expect(await (await site.get("/blog/gone")).text()).toBe("worker /blog/gone");
    const nearest = await site.get("/blog/gone", NAVIGATE);
    expect(nearest.status).toBe(404);
    expect(await nearest.text()).toBe("<p>no such post</p>");
    expect(await (await site.get("/elsewhere/gone", NAVIGATE)).text()).toBe("<p>not here</p>");
  });

  it("single-page-application: a navigation gets /index.html, an API call the Worker", async () => {
    const site = await deploySite({ not_found_handling: "single-page-application" });
    const page = await site.get("/app/settings", NAVIGATE);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe("<h1>home</h1>");
    expect(await (await site.get("/app/settings")).text()).toBe("worker /app/settings");
  });

  it("leaves navigations to the Worker before 2025-04-01 (assets_navigation_prefers_asset_serving off)", async () => {
    const site = await deploySite({ not_found_handling: "single-page-application" }, "2025-03-01");
    expect(await (await site.get("/app/settings", NAVIGATE)).text()).toBe("worker /app/settings");
  });
});

describe("run_worker_first", () => {
  it("true: the Worker answers every path, files included", async () => {
    const site = await deploySite({ run_worker_first: true });
    expect(await (await site.get("/logo.svg")).text()).toBe("worker /logo.svg");
  });

  it("rules: matching paths to the Worker, ! rules and the rest to the assets, not_found_handling for every request", async () => {
    const site = await deploySite({
      run_worker_first: ["/api/*", "!/api/docs/*"],
      not_found_handling: "single-page-application",
    });
    expect(await (await site.get("/api/data.json")).text()).toBe("worker /api/data.json");
    expect(await (await site.get("/logo.svg")).text()).toBe("<svg></svg>");
    // Excluded from the Worker: the assets answer it, not_found_handling included.
    expect(await (await site.get("/api/docs/intro")).text()).toBe("<h1>home</h1>");
    // With rules, a path no rule names gets not_found_handling without being a navigation.
    expect(await (await site.get("/app/settings")).text()).toBe("<h1>home</h1>");
  });
});

describe("env.ASSETS.fetch() from the Worker", () => {
  it("answers from the assets with not_found_handling applied, never running the Worker", async () => {
    const site = await deploySite({ not_found_handling: "404-page" });
    const file = await site.get("/via-binding/logo.svg");
    expect(file.status).toBe(200);
    expect(file.headers.get("etag")).toBe(etagOf(site, "/logo.svg"));
    expect(await file.text()).toBe("<svg></svg>");
    const missing = await site.get("/via-binding/blog/gone");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("<p>no such post</p>");
    const conditional = await site.get("/via-binding/logo.svg", {
      headers: { "if-none-match": etagOf(site, "/logo.svg") },
    });
    expect(conditional.status).toBe(304);
  });

  it("answers 404 with no body for a path nothing matches without not_found_handling", async () => {
    const site = await deploySite();
    const res = await site.get("/via-binding/nowhere/at/all");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("");
  });
});

describe("versions and deployments", () => {
  it("serve each version's own assets: a rollback serves the files its version had", async () => {
    const account = freshAccount();
    const namespace = await createNamespace("site", account);
    const deployFile = async (contents: string) => {
      const jwt = await completedUpload(account, namespace, "site", [fileOf("/page.txt", contents)]);
      const metadata = { main_module: "index.js", assets: { jwt } };
      const res = await upload(namespace, "site", metadata, { "index.js": { code: WORKER } }, { account });
      return (await resultOf<{ deployment_id: string }>(res)).deployment_id;
    };
    const binding = namespaceBinding(namespace, { accountId: account });
    const page = async () => (await dispatch(namespace, "site", "https://t.example/page.txt", {}, binding)).text();
    const first = await deployFile("first");
    await deployFile("second");
    expect(await page()).toBe("second");
    const rollback = await call(
      scriptPath(namespace, "site", "/deployments", account),
      json("POST", { strategy: "percentage", versions: [{ version_id: first, percentage: 100 }] }),
    );
    await resultOf(rollback);
    expect(await page()).toBe("first");
  });
});
