import { analyticsEngineBinding } from "./analytics-engine";
import type { BindingKind } from "./kind";
import { jsonBinding, plainTextBinding, secretTextBinding } from "./plain";

/** Every binding type a loaded tenant worker can receive, by type. The upload path refuses the others. */
export const bindingKinds: ReadonlyMap<string, BindingKind> = new Map(
  [plainTextBinding, secretTextBinding, jsonBinding, analyticsEngineBinding].map((kind) => [kind.type, kind]),
);
