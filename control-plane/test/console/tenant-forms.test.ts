import { beforeAll, describe, expect, it } from "vitest";
import { PlanName } from "../../../platform/plans";
import type { TenantView } from "../../../platform/tenants-api";
import { api, ensureNamespace, newTenant, settled, uniqueId, visit } from "../tenants/support";
import { browse, csrfOf, ORIGIN, post, signIn } from "./console-support";

beforeAll(ensureNamespace);

let cookie: string;
let csrf: string;
beforeAll(async () => {
  cookie = await signIn();
  csrf = csrfOf(await (await browse("/console/tenants/new", { cookie })).text());
});

/** A multipart form post, as the browser sends a form with a file input. */
function postMultipart(path: string, fields: Record<string, string>, files: File[] = [], withCsrf = true) {
  const body = new FormData();
  if (withCsrf) body.set("_csrf", csrf);
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  // No file chosen: the browser still sends the input's part, empty and nameless.
  if (files.length === 0) body.append("bundle", new File([], ""));
  for (const file of files) body.append("bundle", file);
  return browse(path, { method: "POST", body, headers: { origin: ORIGIN }, cookie });
}

const form = (fields: Record<string, string>) => ({ _csrf: csrf, ...fields });
const tenantOf = async (id: string) => (await api("GET", `/v1/tenants/${id}`)).json as TenantView;
const module = (name: string, code: string) => new File([code], name, { type: "text/javascript" });

/** The messages shown next to a field (its `<name>-error` block) as text, or "" when none. */
function errorsNextTo(html: string, field: string): string {
  const block = new RegExp(`<div id="${field}-error">(.*?)</div>`, "s").exec(html)?.[1] ?? "";
  return block
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

async function answer(id: string, path = "/"): Promise<string> {
  for (let tries = 0; ; tries++) {
    const response = await visit(id, path);
    if (response.ok || tries > 50) return response.text();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A live tenant made through /v1, for the edit and delete forms. */
async function liveTenant(overrides: Parameters<typeof newTenant>[1] = {}, id = uniqueId("cf")): Promise<string> {
  expect((await api("POST", "/v1/tenants", newTenant(id, overrides))).status).toBe(202);
  await settled(id, ["active"]);
  return id;
}

describe("console: create a tenant", () => {
  it("offers the platform's plans, the code choices and a multipart form", async () => {
    const response = await browse("/console/tenants/new", { cookie });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('enctype="multipart/form-data"');
    for (const plan of PlanName.options) expect(html).toContain(`<option value="${plan}"`);
    expect(html).toContain('name="code" value="template" checked');
    expect(html).toContain('type="file"');
    expect(html).toContain('<label for="secrets">');
  });

  it("creates a tenant with the template's code, its plan, hostnames, vars and secrets", async () => {
    const id = uniqueId("cf");
    const secret = `template-secret-${crypto.randomUUID()}`;
    const response = await postMultipart("/console/tenants/new", {
      id,
      plan: "pro",
      hostnames: `\napi.${id}.localhost\n`,
      vars: "GREETING=Hello from the console\nMODE=a=b",
      secrets: `API_TOKEN=${secret}`,
      code: "template",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/console/tenants/${id}?notice=created`);
    const tenant = await settled(id, ["active"]);
    expect(tenant.plan).toBe("pro");
    expect(tenant.hostnames).toEqual([`${id}.localhost`, `api.${id}.localhost`]);
    expect(tenant.vars).toEqual({ GREETING: "Hello from the console", MODE: "a=b" });
    expect(tenant.secrets).toEqual(["API_TOKEN"]);
    // Its first version is noted as the console's, as everything the console does through /v1.
    const versions = (await api("GET", `/v1/tenants/${id}/versions`)).json as unknown as {
      versions: { message: string; createdBy: string }[];
    };
    expect(versions.versions).toMatchObject([{ message: "first code, at provisioning", createdBy: "console" }]);
    expect(JSON.parse(await answer(id))).toEqual({ greeting: "Hello from the console", tenant: id });
    // The template as `wfp deploy` bundles it: its Durable Object, its D1 migration, its admin route guarded by the secret.
    expect(tenant.script?.durableObjects.classes).toEqual(["Room"]);
    const admin = await visit(id, "/admin/summary", { headers: { authorization: `Bearer ${secret}` } });
    expect(await admin.json()).toEqual({ tenant: id, notes: 0 });
    // The notice the tenant's page shows (Layout, from the URL).
    const page = await (await browse(`/console/tenants/${id}/edit?notice=created`, { cookie })).text();
    expect(page).toContain("The tenant was created.");
    expect(page).not.toContain(secret);
  });

  it("creates a tenant from an uploaded module", async () => {
    const id = uniqueId("cf");
    const code = `export default { fetch: (request, env) => new Response("uploaded " + env.WORD) };`;
    const response = await postMultipart(
      "/console/tenants/new",
      { id, plan: "free", vars: "WORD=works", code: "upload", compatibilityDate: "2026-10-01" },
      [module("worker.js", code)],
    );
    expect(response.status).toBe(303);
    const tenant = await settled(id, ["active"]);
    expect(tenant.plan).toBe("free");
    expect(tenant.script?.compatibilityDate).toBe("2026-10-01");
    expect(await answer(id)).toBe("uploaded works");
  });

  it("takes several modules, the main one named", async () => {
    const id = uniqueId("cf");
    const files = [
      module("lib.js", `export const word = "from lib";`),
      module("main.js", `import { word } from "./lib.js"; export default { fetch: () => new Response(word) };`),
    ];
    const missingMain = await postMultipart("/console/tenants/new", { id, plan: "free", code: "upload" }, files);
    expect(missingMain.status).toBe(400);
    expect(errorsNextTo(await missingMain.text(), "bundle")).toContain("name the main module");
    const response = await postMultipart(
      "/console/tenants/new",
      { id, plan: "free", code: "upload", mainModule: "main.js" },
      files,
    );
    expect(response.status).toBe(303);
    await settled(id, ["active"]);
    expect(await answer(id)).toBe("from lib");
  });

  it("shows a line that is not NAME=value next to its field, creates nothing, and never shows the secrets again", async () => {
    const id = uniqueId("cf");
    const secret = `typed-secret-${crypto.randomUUID()}`;
    const response = await postMultipart("/console/tenants/new", {
      id,
      plan: "pro",
      hostnames: `api.${id}.localhost`,
      vars: "GREETING=hi\nNOVALUE",
      secrets: `API_TOKEN=${secret}\n${secret}`,
      code: "template",
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(errorsNextTo(html, "vars")).toContain('line 2 ("NOVALUE") has no "="');
    // The secrets' line without "=" may be a value: named by its number only.
    expect(errorsNextTo(html, "secrets")).toContain('line 2 has no "="');
    expect(html).not.toContain(secret);
    expect(html).toContain("The secrets you typed were not kept: enter them again.");
    // What was typed is kept, but for the secrets.
    expect(html).toContain(`value="${id}"`);
    expect(html).toContain(`api.${id}.localhost`);
    expect(html).toContain("GREETING=hi\nNOVALUE");
    expect(html).toMatch(
      /<textarea rows="3" autocomplete="off" spellcheck="false" id="secrets" name="secrets"[^>]*><\/textarea>/,
    );
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it("shows the API's refusal of a bad id and a bad hostname next to each, with its status", async () => {
    const secret = `typed-secret-${crypto.randomUUID()}`;
    // A tenant id the API may look up, but not create: "--" joins versions to tenants in preview hostnames.
    const id = `${uniqueId("cf")}--x`;
    const response = await postMultipart("/console/tenants/new", {
      id,
      plan: "pro",
      hostnames: "fine.example.com\nnot a hostname",
      vars: "GREETING=hi",
      secrets: `API_TOKEN=${secret}`,
      code: "template",
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(errorsNextTo(html, "id")).not.toBe("");
    expect(errorsNextTo(html, "hostnames")).toContain("not a hostname");
    expect(errorsNextTo(html, "hostnames")).not.toContain("fine.example.com");
    expect(html).toContain('id="id" name="id" aria-invalid="true"');
    expect(html).not.toContain(secret);
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it("shows the API's 422 for a module that does not run next to the upload, and creates nothing", async () => {
    const id = uniqueId("cf");
    const secret = `typed-secret-${crypto.randomUUID()}`;
    const response = await postMultipart(
      "/console/tenants/new",
      { id, plan: "free", code: "upload", secrets: `API_TOKEN=${secret}` },
      [module("worker.js", "export default { fetch( }")],
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(errorsNextTo(html, "bundle")).not.toBe("");
    expect(html).not.toContain(secret);
    expect(html).toContain('name="code" value="upload" checked');
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it("asks for a file when the code is to be uploaded", async () => {
    const id = uniqueId("cf");
    const response = await postMultipart("/console/tenants/new", { id, plan: "free", code: "upload" });
    expect(response.status).toBe(400);
    expect(errorsNextTo(await response.text(), "bundle")).toContain("choose the Worker's file");
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });
});

describe("console: change a tenant", () => {
  it("shows the tenant's settings, its secrets by name and every form with the CSRF token", async () => {
    const id = await liveTenant({ secrets: { API_KEY: "edit-page-secret-value" }, vars: { GREETING: "hi" } });
    const response = await browse(`/console/tenants/${id}/edit`, { cookie });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("GREETING=hi");
    expect(html).toContain("API_KEY");
    expect(html).not.toContain("edit-page-secret-value");
    const forms = html.match(/<form method="post"/g) ?? [];
    const tokens = html.match(/name="_csrf"/g) ?? [];
    expect(tokens.length).toBe(forms.length);
    expect((await browse("/console/tenants/no-such-tenant/edit", { cookie })).status).toBe(404);
  });

  it("changes the plan, the hostnames and the vars", async () => {
    const id = await liveTenant();
    const response = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "settings", plan: "enterprise", hostnames: `www.${id}.localhost`, vars: "GREETING=changed\nB=2" }),
      cookie,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/console/tenants/${id}?notice=updated`);
    const tenant = await settled(id, ["active"]);
    expect(tenant.plan).toBe("enterprise");
    expect(tenant.hostnames).toEqual([`${id}.localhost`, `www.${id}.localhost`]);
    expect(tenant.vars).toEqual({ GREETING: "changed", B: "2" });
  });

  it("shows a refused change next to its field, with the API's status, and changes nothing", async () => {
    const id = await liveTenant();
    const response = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "settings", plan: "pro", hostnames: "bad host name", vars: "GREETING=kept-as-typed" }),
      cookie,
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(errorsNextTo(html, "hostnames")).toContain("bad host name");
    expect(html).toContain("GREETING=kept-as-typed");
    const tenant = await tenantOf(id);
    expect(tenant.vars).toEqual({ GREETING: "hi" });
    expect(tenant.hostnames).toEqual([`${id}.localhost`]);
  });

  it("suspends and resumes", async () => {
    const id = await liveTenant();
    const suspend = await post(`/console/tenants/${id}/edit`, form({ action: "suspend" }), cookie);
    expect(suspend.status).toBe(303);
    expect(suspend.headers.get("location")).toBe(`/console/tenants/${id}?notice=suspended`);
    await settled(id, ["suspended"]);
    expect(await (await browse(`/console/tenants/${id}/edit`, { cookie })).text()).toContain("Resume the tenant");
    const resume = await post(`/console/tenants/${id}/edit`, form({ action: "resume" }), cookie);
    expect(resume.headers.get("location")).toBe(`/console/tenants/${id}?notice=resumed`);
    await settled(id, ["active"]);
  });

  it("sets and deletes a secret, never showing its value", async () => {
    const id = await liveTenant();
    const value = `put-secret-${crypto.randomUUID()}`;
    const put = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "put-secret", secretName: "API_KEY", secretValue: value }),
      cookie,
    );
    expect(put.status).toBe(303);
    expect((await settled(id, ["active"])).secrets).toEqual(["API_KEY"]);
    expect(await answer(id, "/secret")).toBe("secret set");
    const page = await (await browse(`/console/tenants/${id}/edit`, { cookie })).text();
    expect(page).toContain("API_KEY");
    expect(page).not.toContain(value);
    // A refused secret (named like a var) comes back without its value.
    const clash = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "put-secret", secretName: "GREETING", secretValue: value }),
      cookie,
    );
    expect(clash.status).toBe(409);
    const clashed = await clash.text();
    expect(errorsNextTo(clashed, "secretName")).toContain("GREETING");
    expect(clashed).not.toContain(value);
    const badName = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "put-secret", secretName: "not-a-name", secretValue: value }),
      cookie,
    );
    expect(badName.status).toBe(400);
    const refusedName = await badName.text();
    expect(errorsNextTo(refusedName, "secretName")).toContain("letters, digits and underscores");
    expect(refusedName).not.toContain(value);
    const remove = await post(
      `/console/tenants/${id}/edit`,
      form({ action: "delete-secret", secretName: "API_KEY" }),
      cookie,
    );
    expect(remove.status).toBe(303);
    expect((await settled(id, ["active"])).secrets).toEqual([]);
  });

  it("deploys an uploaded module, and shows a refused one next to the upload", async () => {
    const id = await liveTenant();
    const before = (await tenantOf(id)).script?.etag;
    const code = `export default { fetch: () => new Response("second version") };`;
    const deployed = await postMultipart(
      `/console/tenants/${id}/edit`,
      { action: "deploy", message: "from the console" },
      [module("index.js", code)],
    );
    expect(deployed.status).toBe(303);
    expect(deployed.headers.get("location")).toBe(`/console/tenants/${id}?notice=deployed`);
    const tenant = await settled(id, ["active"]);
    expect(tenant.script?.etag).not.toBe(before);
    expect(await answer(id)).toBe("second version");
    const versions = (await api("GET", `/v1/tenants/${id}/versions`)).json as unknown as {
      versions: { message: string; createdBy: string }[];
    };
    expect(versions.versions[0]).toMatchObject({ message: "from the console", createdBy: "console" });
    const refused = await postMultipart(`/console/tenants/${id}/edit`, { action: "deploy" }, [
      module("index.js", "export default {"),
    ]);
    expect(refused.status).toBe(422);
    expect(errorsNextTo(await refused.text(), "bundle")).not.toBe("");
    expect(await answer(id)).toBe("second version");
  });
});

describe("console: delete a tenant", () => {
  it("says what is removed, and deletes only when the typed id matches", async () => {
    const id = uniqueId("cf");
    await liveTenant({ hostnames: [`api.${id}.localhost`] }, id);
    const tenant = await tenantOf(id);
    const page = await browse(`/console/tenants/${id}/delete`, { cookie });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(tenant.resources.kv?.id);
    expect(html).toContain(tenant.resources.d1?.id);
    expect(html).toContain(tenant.resources.r2?.name);
    expect(html).toContain(`${id}.localhost, api.${id}.localhost`);
    const wrong = await post(`/console/tenants/${id}/delete`, form({ confirm: `${id}-not` }), cookie);
    expect(wrong.status).toBe(400);
    expect(errorsNextTo(await wrong.text(), "confirm")).toContain(`type ${id} exactly`);
    expect((await tenantOf(id)).state).toBe("active");
    const deleted = await post(`/console/tenants/${id}/delete`, form({ confirm: id }), cookie);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/console/tenants?notice=deleted");
    await settled(id, ["deleted"]);
    expect((await browse(`/console/tenants/${id}/delete`, { cookie })).status).toBe(404);
  });
});

describe("console: the tenant forms refuse a post without the session's CSRF token", () => {
  it("answers 403 to each and changes nothing", async () => {
    const id = await liveTenant();
    const before = await tenantOf(id);
    const newId = uniqueId("cf");
    const attempts = [
      postMultipart("/console/tenants/new", { id: newId, plan: "free", code: "template" }, [], false),
      post(
        `/console/tenants/${id}/edit`,
        { action: "settings", plan: "enterprise", hostnames: "", vars: "X=1" },
        cookie,
      ),
      post(`/console/tenants/${id}/edit`, { action: "suspend" }, cookie),
      post(`/console/tenants/${id}/edit`, { action: "put-secret", secretName: "S", secretValue: "v" }, cookie),
      postMultipart(
        `/console/tenants/${id}/edit`,
        { action: "deploy" },
        [module("index.js", "export default {}")],
        false,
      ),
      post(`/console/tenants/${id}/delete`, { confirm: id }, cookie),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(403);
    expect((await api("GET", `/v1/tenants/${newId}`)).status).toBe(404);
    const after = await tenantOf(id);
    expect(after).toMatchObject({ state: "active", plan: "pro", vars: { GREETING: "hi" }, secrets: [], pending: null });
    expect(after.operation?.id).toBe(before.operation?.id);
    expect(after.script?.etag).toBe(before.script?.etag);
  });
});
