import { exports } from "cloudflare:workers";
import type { Context } from "hono";
import { inTurns } from "../../../platform/turns";
import type { Exports } from "../bindings/kind";
import { checkStartup } from "../dispatch/startup-check";
import type { ApiEnv } from "../http/types";
import { changedDuringUpload, success, type WorkersResult } from "./errors";
import { digestModules, type ModuleDigest, type ModuleUpload } from "./modules";
import { apiError, unwrap, workersStore } from "./routes/store-answers";
import { runnableScript } from "./script-record";
import type { CommittedAnswers } from "./store";
import type { VersionDraft } from "./store/version-draft";

/**
 * Drafts in a row before an upload gives up. Each retry means another change
 * to the same script committed while this upload's check ran; more than a few
 * in a row is a client hammering one script.
 */
const ATTEMPTS = 5;

type Store = ReturnType<typeof workersStore>;

/**
 * At most a few startup checks at once in this isolate. Production's limit is
 * on the start's CPU time, which other uploads do not add to; measured here on
 * the wall clock, checks run side by side are each charged for the others'
 * work (200 onboardings at once, all checked together, had scripts that start
 * in milliseconds refused). One at a time wastes the waits inside a check (the
 * loader, the start's own I/O): uploads ran at 41 and 52 a second against 63
 * and 70 before, when the store ran them (docs/benchmarks.md). A few at once
 * keeps both.
 */
const STARTUP_CHECKS_AT_ONCE = 4;
const startupCheckSlot = inTurns(STARTUP_CHECKS_AT_ONCE, { mayVanish: true });

/**
 * The emulator's entrypoints, as the request's own `ctx.exports`. The module's
 * `exports` from "cloudflare:workers" names the same ones, and is there even
 * when the app is called with no execution context; but uploads whose check
 * was built from it ran slower than before the store split (50 and 54 a
 * second against 56 and 62; docs/benchmarks.md, "Uploads after the reshape"),
 * and as fast with `ctx.exports`, so it is only the fallback.
 */
function entrypoints(c: Context<ApiEnv>): Exports {
  try {
    return (c.executionCtx as unknown as { exports?: Exports }).exports ?? (exports as unknown as Exports);
  } catch {
    // Hono throws when the app was called without an execution context.
    return exports as unknown as Exports;
  }
}

/**
 * Stores a new version the way Cloudflare does: only if it starts. The store
 * drafts the version (every refusal but the startup check, nothing written),
 * the draft is started here in the Worker Loader, and the store commits it.
 * The check runs outside the store so that a slow start holds up no other
 * change to the account. A commit the store refuses because the script
 * changed since the draft (a secret, a settings PATCH, another upload) is
 * drafted and checked again on top of that change, so neither is lost.
 *
 * The check needs the emulator's own entrypoints (the bindings' stubs).
 */
export async function publishVersion(
  c: Context<ApiEnv>,
  id: { namespace: string; script: string },
  modules: ModuleUpload[],
  draft: (store: Store, digests: ModuleDigest[]) => Promise<WorkersResult<VersionDraft>>,
): Promise<CommittedAnswers> {
  const store = workersStore(c);
  const digests = await digestModules(modules);
  const scope = { accountId: c.get("accountId"), ...id };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const drafted = unwrap(await draft(store, digests));
    // An assets-only Worker has no code to start.
    const started =
      drafted.record.version.main_module === null
        ? success({ handlers: [], startupMs: 0 })
        : await startupCheckSlot(() =>
            checkStartup(c.env, entrypoints(c), scope, runnableScript(drafted.record), modules),
          );
    if (!started.ok) throw apiError(started.error);
    const committed = await store.commitVersion(drafted, modules, started.value);
    if (committed !== null) return committed;
  }
  throw apiError(changedDuringUpload());
}
