import { analyticsEngineBinding } from "./analytics-engine";
import { d1Binding } from "./d1";
import type { BindingKind } from "./kind";
import { kvNamespaceBinding } from "./kv";
import { jsonBinding, plainTextBinding, secretTextBinding } from "./plain";
import { r2BucketBinding } from "./r2";

/** Every binding type a loaded tenant worker can receive, by type. */
export const bindingKinds: ReadonlyMap<string, BindingKind> = new Map(
  [
    plainTextBinding,
    secretTextBinding,
    jsonBinding,
    kvNamespaceBinding,
    r2BucketBinding,
    d1Binding,
    analyticsEngineBinding,
  ].map((kind) => [kind.type, kind]),
);
