import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountId } from "../../cloudflare-api/names";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import type { Exports } from "../src/bindings/kind";
import type { RunnableScript } from "../src/dispatch/runnable-script";
import { checkStartup, STARTUP_CPU_EXCEEDED, type StartupTiming } from "../src/dispatch/startup-check";
import { ACCOUNT, acct, call, errorOf, resultOf } from "./helpers";
import { ESM } from "./scripts-helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

const scriptUrl = (namespace: string, script: string, rest = "") =>
  acct(`/workers/dispatch/namespaces/${namespace}/scripts/${script}${rest}`);

/** The multipart body of an upload (with metadata) or a content PUT (without). */
function modulesForm(modules: Record<string, string>, metadata?: Record<string, unknown>): FormData {
  const form = new FormData();
  if (metadata !== undefined) form.set("metadata", JSON.stringify(metadata));
  for (const [name, source] of Object.entries(modules)) form.set(name, new Blob([source], { type: ESM }), name);
  return form;
}

const put = (namespace: string, script: string, modules: Record<string, string>, extra: Record<string, unknown> = {}) =>
  call(scriptUrl(namespace, script), {
    method: "PUT",
    body: modulesForm(modules, {
      main_module: Object.keys(modules)[0],
      compatibility_date: COMPATIBILITY_DATE,
      ...extra,
    }),
  });

const putContent = (namespace: string, script: string, modules: Record<string, string>) =>
  call(scriptUrl(namespace, script, "/content"), { method: "PUT", body: modulesForm(modules) });

/** The 10021 refusal of an upload, as production answers a script that does not start. */
async function refusal(res: Response): Promise<string> {
  const error = await errorOf(res, 400);
  expect(error.code).toBe(10021);
  return error.message;
}

const answer = (name: string) => `export default { fetch() { return new Response(${JSON.stringify(name)}); } };`;

describe("an upload whose script does not start is refused with 10021", () => {
  it("a syntax error, with the runtime's message and location", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "syntax", {
      "index.js": "export default {\n  fetch() { return new Response('x'); }\n}}\n",
    });
    expect(await refusal(res)).toBe("Uncaught SyntaxError: Unexpected token '}'\n  at index.js:3:1");
  });

  it("an import of a module that is not in the upload", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "missing", { "index.js": `import { x } from "./lib.js";\n${answer("x")}` });
    expect(await refusal(res)).toBe('Uncaught Error: No such module "lib.js".\n  imported from "index.js"');
  });

  it("a throw at top level, located in the module that threw", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "throws", {
      "index.js": `import "./lib.js";\n${answer("x")}`,
      "lib.js": "\n\nthrow new Error('not configured');\n",
    });
    expect(await refusal(res)).toBe("Uncaught Error: not configured\n  at lib.js:3:7");
  });

  it("a TypeError at top level", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "types", { "index.js": `const config = undefined;\nconfig.read();\n${answer("x")}` });
    expect(await refusal(res)).toBe(
      "Uncaught TypeError: Cannot read properties of undefined (reading 'read')\n  at index.js:2:8",
    );
  });

  it("I/O at global scope, which the runtime only allows inside a handler", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "io", {
      "index.js": `const seed = crypto.getRandomValues(new Uint8Array(4));\n${answer("x")}`,
    });
    expect(await refusal(res)).toMatch(/^Uncaught Error: Disallowed operation called within global scope\./);
  });

  it("an unknown compatibility flag", async () => {
    const ns = await createNamespace();
    const res = await put(ns, "flags", { "index.js": answer("x") }, { compatibility_flags: ["no_such_flag"] });
    expect(await refusal(res)).toBe("No such compatibility flag: no_such_flag");
  });
});

describe("what starts is stored and runs", () => {
  it("a multi-module script whose top level reads its bindings", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "multi", {
      modules: {
        "index.js": `import { greet } from "./lib/greet.js";\nexport default { fetch() { return new Response(greet()); } };`,
        "lib/greet.js": `import { env } from "cloudflare:workers";\nconst word = env.GREETING.toUpperCase();\nexport const greet = () => word;`,
      },
      bindings: [{ type: "plain_text", name: "GREETING", text: "hello" }],
    });
    expect(await (await dispatch(ns, "multi", "https://tenant.example/")).text()).toBe("HELLO");
  });

  it("a content PUT whose new modules read the bindings the script already has", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "kept", {
      modules: { "index.js": answer("v1") },
      bindings: [{ type: "plain_text", name: "GREETING", text: "hi" }],
    });
    const res = await putContent(ns, "kept", {
      "index.js": `import { env } from "cloudflare:workers";\nconst word = env.GREETING.toUpperCase();\nexport default { fetch() { return new Response(word); } };`,
    });
    await resultOf(res);
    expect(await (await dispatch(ns, "kept", "https://tenant.example/")).text()).toBe("HI");
  });
});

describe("a refused upload changes nothing", () => {
  const broken = { "index.js": "throw new Error('broken');\nexport default {};" };

  it("a first upload stores no script", async () => {
    const ns = await createNamespace();
    await refusal(await put(ns, "never", broken));
    expect((await errorOf(await call(scriptUrl(ns, "never")), 404)).code).toBe(10092);
    const scripts = await resultOf<{ id: string }[]>(await call(acct(`/workers/dispatch/namespaces/${ns}/scripts`)));
    expect(scripts).toEqual([]);
  });

  it.each([
    ["a re-upload", put],
    ["a content PUT", putContent],
  ])("%s leaves the previous version serving", async (_, refusedPut) => {
    const ns = await createNamespace();
    const { etag } = await uploadScript(ns, "steady", { modules: { "index.js": answer("v1") } });
    await refusal(await refusedPut(ns, "steady", broken));
    expect(await (await dispatch(ns, "steady", "https://tenant.example/")).text()).toBe("v1");
    const details = await resultOf<{ script: { etag: string } }>(await call(scriptUrl(ns, "steady")));
    expect(details.script.etag).toBe(etag);
  });
});

describe("a start slower than the startup limit", () => {
  /** Runs the check itself, with the test's limit and (when given) the test's clock. */
  const check = (source: string, timing: StartupTiming) => {
    const script: RunnableScript = {
      tag: "startup-test",
      etag: "startup-test",
      mainModule: "index.js",
      modules: [{ name: "index.js", type: ESM, r2Key: "startup-test/index.js" }],
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: [],
      bindings: [],
      objectClasses: [],
    };
    const scope = { accountId: ACCOUNT as AccountId, namespace: "startup", script: "loop" };
    const body = new TextEncoder().encode(source);
    return checkStartup(
      env,
      exports as unknown as Exports,
      scope,
      script,
      [{ name: "index.js", type: ESM, body }],
      timing,
    );
  };

  /** A clock that reads `start`, then `start + elapsedMs` ever after: a start that took exactly `elapsedMs`. */
  const tookMs = (elapsedMs: number) => {
    const readings: number[] = [];
    const now = () => {
      readings.push(readings.length === 0 ? 5_000 : 5_000 + elapsedMs);
      return readings.at(-1) as number;
    };
    return { now, readings };
  };

  it("is refused with production's startup CPU message once it takes longer than the limit, and only then", async () => {
    const over = tookMs(1001);
    expect(await check(answer("x"), { limitMs: 1000, now: over.now })).toEqual({
      ok: false,
      error: { status: 400, code: 10021, message: STARTUP_CPU_EXCEEDED },
    });
    // Read twice: before the load and after the top level ran.
    expect(over.readings).toHaveLength(2);
    const at = tookMs(1000);
    expect(await check(answer("x"), { limitMs: 1000, now: at.now })).toEqual({
      ok: true,
      value: { handlers: ["fetch"], startupMs: 1000 },
    });
    expect(at.readings).toHaveLength(2);
  });

  it("measures the top level's run: a busy one goes over a limit far below its work, on the wall clock", async () => {
    // Date.now() stands still at global scope, so the loop is bounded by a count: 0.3 s or more of work,
    // against a limit of 100 ms. A slower machine only makes it slower: nothing here can pass by chance.
    const loop = `let x = 0;\nfor (let i = 0; i < 3e8; i++) x = (x * 31 + i) | 0;\nglobalThis.x = x;\n${answer("x")}`;
    expect(await check(loop, { limitMs: 100 })).toEqual({
      ok: false,
      error: { status: 400, code: 10021, message: STARTUP_CPU_EXCEEDED },
    });
  });
});
