import { z } from "zod";
import type { RolloutPosition } from "../registry/rollout-list";
import type { RolloutRow } from "../registry/rollouts";
import { ApiError } from "./errors";

/** What a rollouts cursor holds: the last rollout of the page, by the listing's order. */
const Position = z.tuple([z.iso.datetime(), z.uuid()]);

/** Opaque to clients: the page's last rollout (creation time and id), encoded. */
export function encodeRolloutCursor(last: RolloutRow): string {
  return btoa(JSON.stringify([last.created_at, last.id])).replace(/=+$/, "");
}

export function decodeRolloutCursor(cursor: string): RolloutPosition {
  try {
    const position = Position.safeParse(JSON.parse(atob(cursor)));
    if (position.success) return { createdAt: position.data[0], id: position.data[1] };
  } catch {}
  throw new ApiError(400, "invalid_request", "cursor: not a cursor this API gave", [
    { path: "cursor", message: "not a cursor this API gave" },
  ]);
}
