import type { Child } from "hono/jsx";
import { useRequestContext } from "hono/jsx-renderer";
import { Notice } from "./notices";
import type { ConsoleEnv } from "./types";

/** Where each page of the console lives: one definition, used by links, forms and redirects. */
export const consolePath = {
  home: "/console",
  signIn: "/console/sign-in",
  signOut: "/console/sign-out",
  tenants: "/console/tenants",
  newTenant: "/console/tenants/new",
  tenant: (id: string) => `/console/tenants/${encodeURIComponent(id)}`,
  editTenant: (id: string) => `/console/tenants/${encodeURIComponent(id)}/edit`,
  deleteTenant: (id: string) => `/console/tenants/${encodeURIComponent(id)}/delete`,
  tenantLiveLogs: (id: string) => `/console/tenants/${encodeURIComponent(id)}/logs/live`,
  tenantTraffic: (id: string) => `/console/tenants/${encodeURIComponent(id)}/traffic`,
  checkHostname: (id: string, hostname: string) =>
    `/console/tenants/${encodeURIComponent(id)}/hostnames/${encodeURIComponent(hostname)}/check`,
  deployVersion: (id: string, versionId: string) =>
    `/console/tenants/${encodeURIComponent(id)}/versions/${encodeURIComponent(versionId)}/deploy`,
  rollbackTenant: (id: string) => `/console/tenants/${encodeURIComponent(id)}/rollback`,
  rollouts: "/console/rollouts",
  rollout: (id: string) => `/console/rollouts/${encodeURIComponent(id)}`,
  resumeRollout: (id: string) => `/console/rollouts/${encodeURIComponent(id)}/resume`,
  rollBackRollout: (id: string) => `/console/rollouts/${encodeURIComponent(id)}/rollback`,
  css: "/console/console.css",
  js: "/console/console.js",
} as const;

export type PageProps = { title: string; children?: Child };

const sections = [
  { href: consolePath.tenants, label: "Tenants" },
  { href: consolePath.rollouts, label: "Rollouts" },
] as const;

/** The hidden field every form of a signed-in page carries. */
export function CsrfField() {
  const c = useRequestContext<ConsoleEnv>();
  return <input type="hidden" name="_csrf" value={c.get("csrf")} />;
}

/** Every page: the navigation (when signed in), the page's title and its content. */
export function Layout({ title, children }: PageProps) {
  const c = useRequestContext<ConsoleEnv>();
  const signedIn = c.get("session") !== undefined;
  const here = new URL(c.req.url).pathname;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>{`${title} · WfP console`}</title>
        <link rel="stylesheet" href={consolePath.css} />
        <script src={consolePath.js} defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href={consolePath.home}>
            WfP console
          </a>
          {signedIn && (
            <>
              <nav aria-label="Sections">
                <ul>
                  {sections.map((section) => (
                    <li>
                      <a href={section.href} aria-current={here.startsWith(section.href) ? "page" : undefined}>
                        {section.label}
                      </a>
                    </li>
                  ))}
                  <li>
                    <a href="/docs">API</a>
                  </li>
                </ul>
              </nav>
              <form method="post" action={consolePath.signOut}>
                <CsrfField />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </>
          )}
        </header>
        <main id="main">
          <h1>{title}</h1>
          <Notice />
          {children}
        </main>
      </body>
    </html>
  );
}
