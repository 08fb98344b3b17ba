import { analyticsEngineBinding } from "../analytics-engine/binding";
import { assetsBinding } from "../assets/binding";
import { d1Binding } from "../d1/binding";
import { durableObjectNamespaceBinding } from "../durable-objects/binding";
import { kvNamespaceBinding } from "../kv/binding";
import { r2BucketBinding } from "../r2/binding";
import type { BindingKind } from "./kind";
import { jsonBinding, plainTextBinding, secretTextBinding } from "./plain";

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
    durableObjectNamespaceBinding,
    assetsBinding,
  ].map((kind) => [kind.type, kind]),
);
