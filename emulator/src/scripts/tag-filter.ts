import { failure, success, validationFailed, type WorkersResult } from "./errors";

/** `tags=a:yes,b:no`: scripts must carry every `yes` tag and none of the `no` tags. */
export interface TagFilter {
  required: string[];
  excluded: string[];
}

export function parseTagFilter(raw: string | undefined): WorkersResult<TagFilter | null> {
  if (raw === undefined || raw === "") return success(null);
  const filter: TagFilter = { required: [], excluded: [] };
  for (const term of raw.split(",")) {
    const separator = term.lastIndexOf(":");
    const tag = term.slice(0, separator);
    const allowed = term.slice(separator + 1);
    if (separator <= 0 || (allowed !== "yes" && allowed !== "no")) {
      return failure(validationFailed(`Invalid tags filter '${term}': expected tag:yes or tag:no`));
    }
    (allowed === "yes" ? filter.required : filter.excluded).push(tag);
  }
  return success(filter);
}

export function matchesTagFilter(tags: readonly string[], filter: TagFilter | null): boolean {
  if (filter === null) return true;
  return filter.required.every((t) => tags.includes(t)) && !filter.excluded.some((t) => tags.includes(t));
}
