import { beforeAll, describe, expect, it } from "vitest";
import type { RolloutView } from "../../../platform/tenants-api";
import { getRollout, onboardMany, rolloutReaches, startRollout, versionedApp } from "../tenants/rollout-support";
import { ensureNamespace } from "../tenants/support";
import { browse, csrfOf, ORIGIN, pageHtml, post, signIn } from "./console-support";
import { linkTo, rowsOf, textOf } from "./table-rows";

beforeAll(ensureNamespace);

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

/** The page's HTML, with its status checked. */
const page = (path: string, status = 200) => pageHtml(path, cookie, status);

/** The start form's multipart post, as the browser sends it (its file input's part even when empty). */
async function postStart(fields: Record<string, string>, files: File[], withCsrf = true) {
  const body = new FormData();
  if (withCsrf) body.set("_csrf", csrfOf(await page("/console/rollouts")));
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  if (files.length === 0) body.append("bundle", new File([], ""));
  for (const file of files) body.append("bundle", file);
  return browse("/console/rollouts", { method: "POST", body, headers: { origin: ORIGIN }, cookie });
}

/** The messages shown next to a field (its `<name>-error` block) as text, or "" when none. */
const errorsNextTo = (html: string, field: string) =>
  textOf(new RegExp(`<div id="${field}-error">(.*?)</div>`, "s").exec(html)?.[1] ?? "");

/** The newest rollout's id, as /v1 lists them. */
async function newestRollout(): Promise<string | undefined> {
  const rows = rowsOf(await page("/console/rollouts"));
  return rows[0]?.cells[0];
}

/** Whether the page has a POST form to `action`. */
const hasForm = (html: string, action: string) => html.includes(`<form method="post" action="${action}">`);

/** A rollout of new code to `tenants`, a canary of one first, paused after it. */
async function pausedRollout(tenants: string[]): Promise<RolloutView> {
  const started = await startRollout({ script: versionedApp("v2"), filter: { tenants }, canary: { tenants: 1 } });
  return rolloutReaches(started.id, ["paused"]);
}

describe("console: a rollout's page", () => {
  let tenants: string[];
  beforeAll(async () => {
    tenants = await onboardMany(`cr${crypto.randomUUID().slice(0, 6)}`, 3);
  }, 90_000);

  it("shows its progress and canary, with resume and rollback forms that act through /v1", async () => {
    const rollout = await pausedRollout(tenants);
    const path = `/console/rollouts/${rollout.id}`;
    const html = await page(path);
    const text = textOf(html);
    expect(html).toContain('<progress max="3" value="1"');
    expect(text).toContain("1 of 3 done: 1 succeeded, 0 failed, 2 pending");
    expect(text).toContain("Pauses after its canary until someone resumes it.");
    expect(text).toContain("Paused: canary deployed: waiting for resume. Resume deploys the rest of the tenants");
    const [canaryTenant] = rollout.canary.tenants;
    expect(html).toContain(`href="/console/tenants/${canaryTenant}"`);
    expect(hasForm(html, `${path}/resume`)).toBe(true);
    expect(hasForm(html, `${path}/rollback`)).toBe(true);
    // Paused for a person: nothing to follow, so the page does not refresh itself.
    expect(html).toMatch(/<div id="rollout">/);

    // Resume: through /v1, back to the page with a notice; the rest of the tenants get the code.
    const resumed = await post(`${path}/resume`, { _csrf: csrfOf(html) }, cookie);
    expect(resumed.status).toBe(303);
    expect(resumed.headers.get("location")).toBe(`${path}?notice=rollout-resumed`);
    expect((await rolloutReaches(rollout.id, ["completed", "failed"])).state).toBe("completed");
    const done = await page(`${path}?notice=rollout-resumed`);
    expect(textOf(done)).toContain("The rollout goes on");
    expect(done).toContain('<progress max="3" value="3"');
    expect(hasForm(done, `${path}/resume`)).toBe(false);

    // A resume the state no longer allows: /v1's 409 and its reason, on the page.
    const again = await post(`${path}/resume`, { _csrf: csrfOf(done) }, cookie);
    expect(again.status).toBe(409);
    expect(textOf(await again.text())).toMatch(/The rollout was not resumed \(HTTP 409\): .+/);

    // Rollback of a completed rollout: every tenant goes back to the version it had.
    const rolledBack = await post(`${path}/rollback`, { _csrf: csrfOf(done) }, cookie);
    expect(rolledBack.status).toBe(303);
    expect(rolledBack.headers.get("location")).toBe(`${path}?notice=rollout-rolling-back`);
    expect((await rolloutReaches(rollout.id, ["rolled_back"])).rollback).toMatchObject({ succeeded: 3, failed: 0 });
    const after = textOf(await page(path));
    expect(after).toContain("rolled back");
    expect(after).toContain("3 of 3 done: 3 succeeded, 0 failed, 0 pending");
  }, 120_000);

  it("refuses a form post without the session's CSRF token, and changes nothing", async () => {
    const rollout = await pausedRollout(tenants);
    const path = `/console/rollouts/${rollout.id}`;
    for (const verb of ["resume", "rollback"]) {
      expect((await post(`${path}/${verb}`, {}, cookie)).status).toBe(403);
      expect((await post(`${path}/${verb}`, { _csrf: "A".repeat(43) }, cookie)).status).toBe(403);
    }
    const now = await getRollout(rollout.id);
    expect(now.state).toBe("paused");
    expect(now.updatedAt).toBe(rollout.updatedAt);
    // Leave nothing half done for the tests after.
    const html = await page(path);
    expect((await post(`${path}/rollback`, { _csrf: csrfOf(html) }, cookie)).status).toBe(303);
    await rolloutReaches(rollout.id, ["rolled_back"]);
  }, 120_000);

  it("answers an unknown or malformed rollout id with /v1's status", async () => {
    expect(textOf(await page(`/console/rollouts/${crypto.randomUUID()}`, 404))).toContain("HTTP 404");
    expect(textOf(await page("/console/rollouts/not-a-rollout", 400))).toContain("HTTP 400");
  });
});

describe("console: the rollouts list", () => {
  it("lists rollouts newest first with their state, phase and progress, linked to their pages", async () => {
    const tenants = await onboardMany(`crl${crypto.randomUUID().slice(0, 6)}`, 2);
    const first = await pausedRollout(tenants);
    const second = await pausedRollout(tenants);
    const html = await page("/console/rollouts");
    const rows = rowsOf(html);
    expect(rows[0]?.cells[0]).toBe(second.id.slice(0, 8));
    expect(rows[1]?.cells[0]).toBe(first.id.slice(0, 8));
    expect(rows[0]?.cells.slice(1, 3)).toEqual(["paused canary deployed: waiting for resume", "canary"]);
    expect(rows[0]?.cells[3]).toContain("1 of 2 done");
    expect(linkTo(html, second.id.slice(0, 8))).toBe(`/console/rollouts/${second.id}`);
    expect(textOf(html)).toContain("npx wfp rollout");
    for (const rollout of [first, second]) {
      const detail = await page(`/console/rollouts/${rollout.id}`);
      expect((await post(`/console/rollouts/${rollout.id}/rollback`, { _csrf: csrfOf(detail) }, cookie)).status).toBe(
        303,
      );
      await rolloutReaches(rollout.id, ["rolled_back"]);
    }
  }, 120_000);
});

describe("console: starting a rollout", () => {
  let tenants: string[];
  beforeAll(async () => {
    tenants = await onboardMany(`crs${crypto.randomUUID().slice(0, 6)}`, 3);
  }, 90_000);
  const code = () => {
    const app = versionedApp("v3");
    return new File([app.modules["index.js"] as string], "index.js", { type: "text/javascript" });
  };

  it("starts one through /v1 from an uploaded bundle, with its canary, and shows it", async () => {
    const answer = await postStart({ tenants: tenants.join("\n"), canary: "1", plan: "" }, [code()]);
    expect(answer.status, await answer.clone().text()).toBe(303);
    const location = answer.headers.get("location") ?? "";
    const match = /^\/console\/rollouts\/([0-9a-f-]{36})\?notice=rollout-started$/.exec(location);
    expect(match, location).not.toBeNull();
    const id = match?.[1] as string;
    const rollout = await rolloutReaches(id, ["paused"]);
    expect(rollout).toMatchObject({ total: 3, autoResume: false, canary: { count: 1, succeeded: 1 } });
    expect(textOf(await page(location))).toContain("The rollout started");
    const detail = await page(`/console/rollouts/${id}`);
    expect((await post(`/console/rollouts/${id}/rollback`, { _csrf: csrfOf(detail) }, cookie)).status).toBe(303);
    await rolloutReaches(id, ["rolled_back"]);
  }, 120_000);

  it("shows a refusal next to its field, with its status, and starts nothing", async () => {
    const before = await newestRollout();
    const cases: [Record<string, string>, File[], string, RegExp][] = [
      [{ tenants: tenants.join("\n"), canary: "lots" }, [code()], "canary", /number of tenants or a percentage/],
      [{ tenants: tenants.join("\n"), canary: "1" }, [], "bundle", /choose the code/],
      // /v1's refusals, by the field their details name.
      [{ tenants: tenants.join("\n"), canary: "9" }, [code()], "canary", /more than the 3/],
      [{ tenants: "Not_A_Tenant", canary: "1" }, [code()], "tenants", /^line 1: /],
    ];
    for (const [fields, files, field, message] of cases) {
      const answer = await postStart(fields, files);
      const html = await answer.text();
      expect(answer.status, html).toBe(400);
      expect(errorsNextTo(html, field)).toMatch(message);
      // The form comes back as it was filled.
      expect(html).toContain(`value="${fields.canary}"`);
    }
    expect(await newestRollout()).toBe(before);
    const forged = await postStart({ tenants: tenants.join("\n"), canary: "1" }, [code()], false);
    expect(forged.status).toBe(403);
    expect(await newestRollout()).toBe(before);
  }, 60_000);
});
