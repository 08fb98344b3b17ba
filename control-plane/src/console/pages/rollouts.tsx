import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { RolloutList, RolloutView } from "../../../../platform/tenants-api";
import type { ApiError } from "../api";
import { consolePath } from "../layout";
import { type NoticeKey, withNotice } from "../notices";
import type { ConsoleEnv } from "../types";
import { RolloutDetail } from "./rollout-detail";
import { RolloutsList } from "./rollout-list";
import { EMPTY_START, readStartForm, StartRollout, type StartValues, startTargetOf } from "./rollout-start";
import { type FormProblem, problemOfApi } from "./tenant-form-input";

/** Rollouts a page lists. */
const PAGE_SIZE = 20;

const titleOf = (id: string) => `Rollout ${id.slice(0, 8)}`;

function Refused({ error, what }: { error: ApiError; what: string }) {
  return (
    <p class="notice error" role="alert">
      {what} (HTTP {error.status}): {error.message}
    </p>
  );
}

/** Shows a rollout's page with a refusal on top, with the API's status; or the refusal alone if the rollout cannot be read. */
async function refusedOn(c: Context<ConsoleEnv>, id: string, error: ApiError, what: string) {
  c.status(error.status as ContentfulStatusCode);
  const rollout = await c.get("api").get(`/v1/rollouts/${encodeURIComponent(id)}`, RolloutView);
  return c.render(
    <>
      <Refused error={error} what={what} />
      {rollout.ok && <RolloutDetail rollout={rollout.value} />}
    </>,
    { title: titleOf(id) },
  );
}

/** The list of rollouts (the page of the URL's cursor) and the form to start one, as it was filled when refused. */
async function listPage(c: Context<ConsoleEnv>, values: StartValues, problem?: FormProblem) {
  const cursor = c.req.query("cursor") ?? "";
  const search = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor !== "") search.set("cursor", cursor);
  const list = await c.get("api").get(`/v1/rollouts?${search}`, RolloutList);
  const status = problem?.status ?? (list.ok ? 200 : list.error.status);
  c.status(status as ContentfulStatusCode);
  return c.render(
    <>
      {list.ok ? (
        <RolloutsList list={list.value} cursor={cursor} />
      ) : (
        <Refused error={list.error} what="The API refused this list" />
      )}
      <StartRollout values={values} problem={problem} />
    </>,
    { title: "Rollouts" },
  );
}

/** A POST form's action on a rollout, through /v1: back to its page with a notice, or its page with the refusal. */
function action(verb: "resume" | "rollback", notice: NoticeKey, what: string) {
  return async (c: Context<ConsoleEnv, "/rollouts/:id/*">) => {
    const id = c.req.param("id");
    const answer = await c.get("api").call("POST", `/v1/rollouts/${encodeURIComponent(id)}/${verb}`, RolloutView, {});
    if (answer.ok) return c.redirect(withNotice(consolePath.rollout(id), notice), 303);
    return refusedOn(c, id, answer.error, what);
  };
}

/** `/console/rollouts` (the list, and a form to start one) and each rollout's page, with resume and rollback. */
export const rolloutPages = new Hono<ConsoleEnv>()
  .get("/rollouts", (c) => listPage(c, EMPTY_START))
  .post("/rollouts", async (c) => {
    const read = await readStartForm(await c.req.formData());
    if (!read.ok) return listPage(c, read.values, read.problem);
    const started = await c.get("api").call("POST", "/v1/rollouts", RolloutView, read.request);
    if (started.ok) return c.redirect(withNotice(consolePath.rollout(started.value.id), "rollout-started"), 303);
    return listPage(c, read.values, problemOfApi(started.error, startTargetOf));
  })
  .get("/rollouts/:id", async (c) => {
    const id = c.req.param("id");
    const rollout = await c.get("api").get(`/v1/rollouts/${encodeURIComponent(id)}`, RolloutView);
    if (!rollout.ok) {
      c.status(rollout.error.status as ContentfulStatusCode);
      return c.render(<Refused error={rollout.error} what="This rollout cannot be shown" />, { title: titleOf(id) });
    }
    return c.render(<RolloutDetail rollout={rollout.value} />, { title: titleOf(id) });
  })
  .post("/rollouts/:id/resume", action("resume", "rollout-resumed", "The rollout was not resumed"))
  .post("/rollouts/:id/rollback", action("rollback", "rollout-rolling-back", "The rollout was not rolled back"));
