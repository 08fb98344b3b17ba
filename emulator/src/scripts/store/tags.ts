import { MAX_TAGS } from "../../../../cloudflare-api/names";
import { failure, invalidTag, success, tooManyTags, type WorkersResult } from "../errors";
import type { StoreContext } from "./context";
import { findScript, replaceTags, tagsOf } from "./rows";
import { insertRow, SCRIPT_TAGS } from "./schema";

/**
 * Script-level tags: no version carries them, so changing them makes none,
 * and each change is one synchronous write that needs no place in the queue.
 */

export function getTags(ctx: StoreContext, namespace: string, script: string): WorkersResult<string[]> {
  const found = findScript(ctx, namespace, script);
  return found.ok ? success(found.value.tags) : found;
}

/** Replaces the tags (already checked against the tag rules). */
export function putTags(ctx: StoreContext, namespace: string, script: string, tags: string[]): WorkersResult<string[]> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  ctx.transaction(() => replaceTags(ctx, namespace, script, tags));
  return success(tagsOf(ctx, namespace, script));
}

export function addTag(ctx: StoreContext, namespace: string, script: string, tag: string): WorkersResult<null> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  if (/[,&]/.test(tag)) return failure(invalidTag());
  const tags = found.value.tags;
  if (tags.includes(tag)) return success(null);
  if (tags.length >= MAX_TAGS) return failure(tooManyTags());
  insertRow(ctx.sql, SCRIPT_TAGS, { namespace, script, tag, position: tags.length });
  return success(null);
}

export function removeTag(ctx: StoreContext, namespace: string, script: string, tag: string): WorkersResult<null> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  ctx.sql.exec(
    `DELETE FROM ${SCRIPT_TAGS.name} WHERE namespace = ? AND script = ? AND tag = ?`,
    namespace,
    script,
    tag,
  );
  return success(null);
}
