import { Hono } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import { configOf } from "../config";
import { endSession, requireSession, safeNext, startSession } from "./auth";
import { consolePath } from "./layout";
import type { ConsoleEnv } from "./types";

function SignInForm({ next, problem }: { next: string; problem?: string | undefined }) {
  return (
    <>
      {problem !== undefined && (
        <p class="notice error" role="alert">
          {problem}
        </p>
      )}
      <form method="post" action={consolePath.signIn}>
        <input type="hidden" name="next" value={next} />
        <label for="token">Operators' API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required />
        <p class="hint">The control plane's PLATFORM_API_TOKEN. It stays on the server: the browser gets a session.</p>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </>
  );
}

/** Sign-in (the operators' token for a session cookie) and sign-out. */
export const signInRoutes = new Hono<ConsoleEnv>();

signInRoutes.get("/sign-in", (c) => {
  const expired = c.req.query("expired") !== undefined;
  return c.render(
    <SignInForm
      next={safeNext(c.req.query("next"))}
      problem={expired ? "Your session has ended. Sign in again." : undefined}
    />,
    { title: "Sign in" },
  );
});

signInRoutes.post("/sign-in", async (c) => {
  const form = await c.req.parseBody();
  const next = safeNext(typeof form.next === "string" ? form.next : undefined);
  const expected = configOf(c.env).platformApiToken;
  const given = typeof form.token === "string" ? form.token : "";
  if (expected === "" || given === "" || !(await timingSafeEqual(given, expected))) {
    c.status(401);
    const problem =
      expected === "" ? "The control plane has no PLATFORM_API_TOKEN set: nobody can sign in." : "That token is wrong.";
    return c.render(<SignInForm next={next} problem={problem} />, { title: "Sign in" });
  }
  await startSession(c);
  return c.redirect(next, 303);
});

signInRoutes.post("/sign-out", requireSession, (c) => {
  endSession(c);
  return c.redirect(consolePath.signIn, 303);
});
