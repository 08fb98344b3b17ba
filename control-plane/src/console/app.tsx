import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { jsxRenderer } from "hono/jsx-renderer";
import { secureHeaders } from "hono/secure-headers";
import { type ApiFetch, ConsoleApi } from "./api";
import { requireSession } from "./auth";
import { consolePath, Layout } from "./layout";
import { consolePages } from "./pages";
import { CONSOLE_JS } from "./script";
import { signInRoutes } from "./sign-in";
import { CONSOLE_CSS } from "./styles";
import type { ConsoleEnv } from "./types";

declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: module augmentation of Hono's interface
    (content: string | Promise<string>, props: { title: string }): Response | Promise<Response>;
  }
}

/**
 * The operator console, mounted at /console by app.ts: server-rendered pages (Hono's JSX)
 * over the `/v1` API, which it calls in process (api.ts) so that one set of rules applies.
 */
export function consoleApp(apiFetch: ApiFetch): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/console.css", (c) => c.body(CONSOLE_CSS, 200, staticHeaders("text/css; charset=utf-8")));
  app.get("/console.js", (c) => c.body(CONSOLE_JS, 200, staticHeaders("text/javascript; charset=utf-8")));

  app.use(
    "*",
    secureHeaders({
      // Same-origin: the browser names the console as the Origin of its own form posts (the check
      // below), and a tenant's id in a console URL never reaches another site.
      referrerPolicy: "same-origin",
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    }),
    // A page is about one moment and may name secrets' names: never cached.
    async (c, next) => {
      await next();
      c.header("Cache-Control", "no-store");
    },
    // Before the Origin check, so its refusal is a page of the console too.
    jsxRenderer(({ children, title }) => <Layout title={title}>{children}</Layout>),
    // A form post from another origin is refused before anything reads it.
    csrf(),
    async (c, next) => {
      c.set("api", new ConsoleApi(apiFetch, c.env, c.executionCtx, new URL(c.req.url).origin));
      await next();
    },
  );

  app.route("/", signInRoutes);
  app.use("*", requireSession);
  app.get("/", (c) => c.redirect(consolePath.tenants, 303));
  for (const pages of consolePages) app.route("/", pages);

  // Last: an unknown /console path is a page saying so, and a failure a page, not the API's JSON.
  app.all("*", (c) => {
    c.status(404);
    return c.render(<p class="notice error">There is no such page in the console.</p>, { title: "Not found" });
  });
  app.onError((error, c) => {
    if (error instanceof HTTPException && error.status < 500) {
      c.status(error.status);
      return c.render(
        <p class="notice error" role="alert">
          {error.message || "This request was refused."}
        </p>,
        {
          title: "Refused",
        },
      );
    }
    // The message may carry an upstream answer: logged for the operator, not shown.
    const reference = crypto.randomUUID();
    console.error(`console error ${reference}:`, error instanceof Error ? `${error.name}: ${error.message}` : error);
    c.status(500);
    return c.render(
      <p class="notice error" role="alert">
        Something went wrong (reference {reference}); the details are in the control plane's logs.
      </p>,
      { title: "Error" },
    );
  });
  return app;
}

function staticHeaders(contentType: string): Record<string, string> {
  return { "Content-Type": contentType, "Cache-Control": "public, max-age=300" };
}
