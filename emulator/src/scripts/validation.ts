import type { z } from "zod";
import { describeZodError } from "../http/body";
import { failure, invalidTag, success, tooManyTags, validationFailed, type WorkersResult } from "./errors";

/** A refusal about tags has codes of its own; anything else is the generic validation failure. */
function tagRefusal(issues: readonly z.core.$ZodIssue[]) {
  if (issues.some((issue) => issue.code === "too_big")) return tooManyTags();
  if (issues.some((issue) => issue.code === "custom")) return invalidTag();
  return undefined;
}

/**
 * Parses a JSON value the way the Workers API validates it: tag problems with
 * their own codes, everything else 10021 naming the field. `tagsAt` says where
 * tags sit in the value: under a `tags` key, or the value itself.
 */
export function parseWorkersInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  tagsAt: "tags-field" | "root",
): WorkersResult<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return success(parsed.data);
  const issues = parsed.error.issues;
  const tagIssues = tagsAt === "root" ? issues : issues.filter((issue) => issue.path[0] === "tags");
  const refusal = tagRefusal(tagIssues);
  if (refusal !== undefined) return failure(refusal);
  return failure(validationFailed(describeZodError(parsed.error)));
}

/** JSON text of a multipart part or a body, parsed, or the 10021 refusal naming what it was. */
export function parseJsonText(text: string, what: string): WorkersResult<unknown> {
  try {
    return success(JSON.parse(text));
  } catch {
    return failure(validationFailed(`${what} is not valid JSON`));
  }
}
