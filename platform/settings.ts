import type { z } from "zod";

/**
 * A Worker's settings are its string vars and secrets; its bindings (KV,
 * Durable Objects, services) are not settings and are read from env as they
 * are. Every Worker of the kit parses its settings the same way: through one
 * zod schema, in one file (its config.ts), whose output is the Worker's
 * configuration. Defaults and meanings live in that schema, nowhere else.
 *
 * Throws when a setting is wrong, naming each var that is wrong and why
 * (`invalid dispatcher configuration: ROUTE_CACHE_TTL_MS: ...; PLATFORM_DOMAIN: ...`),
 * so the logs say what to fix. `worker` names the Worker in that message.
 */
export function parseSettings<Schema extends z.ZodType>(
  worker: string,
  schema: Schema,
  env: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "env"}: ${issue.message}`);
  throw new Error(`invalid ${worker} configuration: ${problems.join("; ")}`);
}

/**
 * `parseSettings` once per env object: the runtime hands an isolate the same
 * env on every request, so the vars are parsed once per isolate, and a test's
 * own env (a new object) is parsed afresh. A failure is not kept: it throws
 * again on the next call.
 */
export function settingsParser<Schema extends z.ZodType>(
  worker: string,
  schema: Schema,
): (env: object) => z.output<Schema> {
  const parsed = new WeakMap<object, z.output<Schema>>();
  return (env) => {
    if (parsed.has(env)) return parsed.get(env) as z.output<Schema>;
    const settings = parseSettings(worker, schema, env);
    parsed.set(env, settings);
    return settings;
  };
}
