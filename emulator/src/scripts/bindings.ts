import type { BindingInput, PublicBinding } from "../../../cloudflare-api/script-metadata";
import type { MissingResource, ResourceRefs } from "../resources/store";
import {
  d1DatabaseNotFound,
  failure,
  kvNamespaceInvalid,
  kvNamespaceNotFound,
  r2BucketNotFound,
  success,
  validationFailed,
  type WorkersError,
  type WorkersResult,
} from "./errors";

type D1Binding = { type: "d1"; name: string; database_id: string };

/**
 * A binding as stored with a script version: every `inherit` resolved and D1
 * ids under their current name. Secret values are in here: internal only.
 */
export type StoredBinding = Exclude<BindingInput, { type: "inherit" } | { type: "d1" }> | D1Binding;

const KV_NAMESPACE_ID = /^[0-9a-f]{32}$/;

function toStored(binding: Exclude<BindingInput, { type: "inherit" }>): StoredBinding {
  if (binding.type !== "d1") return binding;
  // D1BindingInput refuses a binding with neither spelling of the id.
  return { type: "d1", name: binding.name, database_id: (binding.database_id ?? binding.id) as string };
}

export interface BindingsChange {
  /** The bindings sent: the whole new list, apart from what `inherit` and `keepTypes` carry over. */
  given: BindingInput[];
  /** The latest version's bindings, or none for a new script. */
  previous: StoredBinding[];
  /** Binding types carried over from `previous` (`keep_bindings`). */
  keepTypes: string[];
  /** An `inherit` naming nothing is refused when strict, and dropped otherwise. */
  strictInherit: boolean;
}

/** The new version's bindings: `given` with `inherit`s resolved, then kept types appended. */
export function resolveBindings(change: BindingsChange): WorkersResult<StoredBinding[]> {
  const resolved: StoredBinding[] = [];
  for (const binding of change.given) {
    if (binding.type !== "inherit") {
      resolved.push(toStored(binding));
      continue;
    }
    const sourceName = binding.old_name ?? binding.name;
    const source = change.previous.find((b) => b.name === sourceName);
    if (source !== undefined) resolved.push({ ...source, name: binding.name });
    else if (change.strictInherit) {
      return failure(
        validationFailed(`inherit binding '${binding.name}': no binding named '${sourceName}' to inherit`),
      );
    }
  }
  const names = new Set<string>();
  for (const binding of resolved) {
    if (names.has(binding.name))
      return failure(validationFailed(`Binding name '${binding.name}' is used more than once`));
    names.add(binding.name);
  }
  const kept = change.previous.filter((b) => change.keepTypes.includes(b.type) && !names.has(b.name));
  return success([...resolved, ...kept]);
}

/** A Durable Object binding to one of the script's classes with its namespace's id, as the API shows and the runtime needs it. */
export function withNamespaceId(binding: StoredBinding, classes: Readonly<Record<string, string>>): StoredBinding {
  if (binding.type !== "durable_object_namespace" || binding.script_name !== undefined) return binding;
  const namespaceId = binding.class_name === undefined ? undefined : classes[binding.class_name];
  return namespaceId === undefined ? binding : { ...binding, namespace_id: namespaceId };
}

/** How the API shows a binding: without any secret value, a Durable Object binding with its namespace's id. */
export function publicBinding(binding: StoredBinding, classes: Readonly<Record<string, string>> = {}): PublicBinding {
  if (binding.type === "secret_text") return { type: "secret_text", name: binding.name };
  if (binding.type === "d1") return { ...binding, id: binding.database_id };
  return withNamespaceId(binding, classes) as PublicBinding;
}

/** The account resources a set of bindings needs, each once. */
export function resourceRefs(bindings: StoredBinding[]): ResourceRefs {
  const unique = (values: string[]) => [...new Set(values)];
  return {
    kvNamespaceIds: unique(bindings.flatMap((b) => (b.type === "kv_namespace" ? [b.namespace_id] : []))),
    r2BucketNames: unique(bindings.flatMap((b) => (b.type === "r2_bucket" ? [b.bucket_name] : []))),
    d1DatabaseIds: unique(bindings.flatMap((b) => (b.type === "d1" ? [b.database_id] : []))),
  };
}

/** A KV namespace id that cannot be one is refused before anything is looked up. */
export function malformedReference(bindings: StoredBinding[]): WorkersError | undefined {
  const bad = bindings.find((b) => b.type === "kv_namespace" && !KV_NAMESPACE_ID.test(b.namespace_id));
  return bad?.type === "kv_namespace" ? kvNamespaceInvalid(bad.namespace_id) : undefined;
}

/** The refusal for the first resource the account does not have. */
export function missingResourceError(missing: MissingResource, bindings: StoredBinding[]): WorkersError {
  switch (missing.kind) {
    case "kv_namespace":
      return kvNamespaceNotFound(missing.id);
    case "r2_bucket":
      return r2BucketNotFound(missing.id);
    case "d1": {
      const binding = bindings.find((b) => b.type === "d1" && b.database_id === missing.id);
      return d1DatabaseNotFound(binding?.name ?? "", missing.id);
    }
  }
}

/**
 * An `assets` binding needs the version to have assets (production: "Cannot use an assets binding
 * without assets"), and a version has one set of assets, so at most one such binding.
 */
export function assetsBindingRefusal(bindings: StoredBinding[], hasAssets: boolean): WorkersError | undefined {
  const named = bindings.filter((b) => b.type === "assets").map((b) => b.name);
  if (named.length === 0) return undefined;
  if (!hasAssets) {
    return validationFailed(
      `Cannot use an assets binding without assets: binding '${named[0]}' needs the version to have static assets (metadata.assets or keep_assets)`,
    );
  }
  if (named.length > 1) {
    return validationFailed(`A Worker has at most one assets binding; this upload has ${named.join(", ")}`);
  }
  return undefined;
}

/** The refusal of a binding name the emulator keeps for its own bindings (the egress stub, its clients). */
export function reservedBindingName(name: string): WorkersError | undefined {
  if (!name.startsWith("__wfp_")) return undefined;
  return validationFailed(`binding '${name}': names starting with __wfp_ are reserved by the local emulator`);
}

/**
 * Bindings a script in a dispatch namespace cannot have, or that the emulator
 * cannot run. Production refuses a service binding in a user worker (user
 * workers reach each other only through the dispatcher); the other types are
 * valid in production but have no local runtime here, and the refusal names
 * that gap rather than accepting a script that would fail on its first request
 * (emulator/README.md lists them).
 */
export function unrunnableBinding(
  bindings: StoredBinding[],
  runnableTypes: ReadonlySet<string>,
): WorkersError | undefined {
  for (const binding of bindings) {
    const reserved = reservedBindingName(binding.name);
    if (reserved !== undefined) return reserved;
    if (binding.type === "durable_object_namespace" && binding.script_name !== undefined) {
      return validationFailed(
        `binding '${binding.name}': the local emulator runs only a script's own Durable Object classes, not another script's (script_name; see emulator/README.md)`,
      );
    }
    if (binding.type === "service") {
      return validationFailed(
        `binding '${binding.name}': Workers in a dispatch namespace cannot have service bindings; route requests between tenants through the dispatcher`,
      );
    }
    if (!runnableTypes.has(binding.type)) {
      return validationFailed(
        `binding '${binding.name}' of type ${binding.type}: the local emulator cannot run this binding type in uploaded scripts (see emulator/README.md)`,
      );
    }
  }
  return undefined;
}
