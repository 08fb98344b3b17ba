import { z } from "zod";
import { CreatedBy, VersionMessage } from "../../../platform/tenants-api";
import type { OperationRow } from "../registry/rows";
import type { StepContext } from "./context";

/**
 * Why and by whom a version or deployment was made, as an operation carries
 * it in its `input` (a request's `message`, and `cli` when the `wfp` CLI
 * sent it). The API has one credential, the operators', so "who" is what the
 * request came through: `api`, `cli`, or `rollout:<id>` for a rollout's deploy.
 */
export const VersionNote = z.object({ message: VersionMessage.optional(), createdBy: CreatedBy.optional() });
export type VersionNote = z.infer<typeof VersionNote>;

export function createdByOf(operation: Pick<OperationRow, "rollout_id" | "input">): string {
  if (operation.rollout_id !== null) return `rollout:${operation.rollout_id}`;
  return VersionNote.safeParse(operation.input).data?.createdBy ?? "api";
}

/** The operation's message, or one saying what made the version. */
export function defaultMessage(context: Pick<StepContext, "operation">): string {
  const { operation } = context;
  const given = VersionNote.safeParse(operation.input).data?.message;
  if (given !== undefined) return given;
  if (operation.rollout_id !== null) return `rollout ${operation.rollout_id}`;
  switch (operation.kind) {
    case "provision":
      return "first code, at provisioning";
    case "update":
      return "new plan or vars";
    case "put_secret":
    case "delete_secret": {
      const name = z.object({ name: z.string() }).safeParse(operation.input).data?.name ?? "?";
      return operation.kind === "put_secret" ? `secret ${name} set` : `secret ${name} deleted`;
    }
    default:
      return "new code";
  }
}
