import type { Migrations, ScriptExports } from "../../../cloudflare-api/script-metadata";
import type { StoredBinding } from "./bindings";
import {
  failure,
  objectClassExists,
  objectClassNotConfigured,
  success,
  validationFailed,
  type WorkersError,
  type WorkersResult,
} from "./errors";

/**
 * A script's Durable Object classes: each class name with the id of the
 * namespace its objects live in. The namespace, not the class name, owns the
 * objects, as in production: a renamed class keeps its namespace id (and so its
 * objects and their ids), a deleted one takes its namespace with it.
 */
export type ObjectClasses = Record<string, string>;

/** The classes after a change, and the namespaces the change deleted (their objects' storage goes with them). */
export interface ClassChange {
  classes: ObjectClasses;
  deletedNamespaces: string[];
}

type Step = Omit<Migrations, "old_tag" | "new_tag" | "steps">;

/** A namespace id as the API shows them: 32 hex digits. */
const newNamespaceId = () => crypto.randomUUID().replaceAll("-", "");

const refuse = (message: string) => failure(validationFailed(message));

/** One migration step applied to `classes` in place, or the refusal. */
function applyStep(classes: ObjectClasses, deleted: string[], step: Step): WorkersError | undefined {
  if ((step.transferred_classes ?? []).length > 0) {
    return validationFailed(
      "transferred_classes: moving a class from another script is not supported by the local emulator (see emulator/README.md)",
    );
  }
  for (const name of [...(step.new_classes ?? []), ...(step.new_sqlite_classes ?? [])]) {
    if (Object.hasOwn(classes, name)) return objectClassExists(name);
    classes[name] = newNamespaceId();
  }
  for (const { from, to } of step.renamed_classes ?? []) {
    const id = classes[from];
    if (id === undefined)
      return validationFailed(`Cannot apply renamed_classes migration to non-existent class ${from}`);
    if (Object.hasOwn(classes, to)) return objectClassExists(to);
    delete classes[from];
    classes[to] = id;
  }
  for (const name of step.deleted_classes ?? []) {
    const id = classes[name];
    if (id === undefined)
      return validationFailed(`Cannot apply deleted_classes migration to non-existent class ${name}`);
    delete classes[name];
    deleted.push(id);
  }
  return undefined;
}

/**
 * The declarative form as migration steps: a class not yet there is new, a
 * `deleted` one deleted, a `renamed` one renamed. A class the script has that
 * `exports` leaves out is kept: only an explicit entry deletes data.
 */
function exportsAsStep(current: ObjectClasses, exports: ScriptExports): WorkersResult<Step> {
  const step = {
    new_sqlite_classes: [] as string[],
    renamed_classes: [] as { from: string; to: string }[],
    deleted_classes: [] as string[],
  };
  for (const [name, entry] of Object.entries(exports)) {
    if (entry.state === "deleted") step.deleted_classes.push(name);
    else if (entry.state === "renamed") {
      if (entry.renamed_to === undefined) return refuse(`exports.${name}: a renamed class needs renamed_to`);
      step.renamed_classes.push({ from: name, to: entry.renamed_to });
    } else if (!Object.hasOwn(current, name)) step.new_sqlite_classes.push(name);
  }
  // A class that is the target of a rename is listed under its new name too: not a new class.
  step.new_sqlite_classes = step.new_sqlite_classes.filter((name) => !step.renamed_classes.some((r) => r.to === name));
  return success(step);
}

/**
 * The classes after an upload's (or a settings PATCH's) `migrations` or
 * `exports`, checked as the API checks them: a new class that exists, a
 * renamed or deleted class that does not, both forms at once, are refused.
 */
export function changeClasses(
  current: ObjectClasses,
  migrations: Migrations | undefined,
  exports: ScriptExports | undefined,
): WorkersResult<ClassChange> {
  if (migrations !== undefined && exports !== undefined) {
    return refuse("migrations and exports cannot both be given: declare Durable Object classes one way");
  }
  const classes = { ...current };
  const deletedNamespaces: string[] = [];
  let steps: Step[] = [];
  if (exports !== undefined) {
    const step = exportsAsStep(current, exports);
    if (!step.ok) return step;
    steps = [step.value];
  } else if (migrations !== undefined) {
    const { old_tag: _, new_tag: __, steps: given, ...single } = migrations;
    steps = given ?? [single];
  }
  for (const step of steps) {
    const refused = applyStep(classes, deletedNamespaces, step);
    if (refused !== undefined) return failure(refused);
  }
  return success({ classes, deletedNamespaces });
}

/**
 * Each Durable Object binding must name a class of this script: the API
 * refuses one to a class no migration created (10061), and one to a class
 * this very change deletes. A binding to another script's class
 * (`script_name`) is refused by the runnable check (bindings.ts).
 */
export function objectBindingRefusal(
  bindings: StoredBinding[],
  change: ClassChange,
  before: ObjectClasses,
): WorkersError | undefined {
  for (const binding of bindings) {
    if (binding.type !== "durable_object_namespace" || binding.script_name !== undefined) continue;
    const className = binding.class_name;
    if (className === undefined)
      return validationFailed(`binding '${binding.name}': a Durable Object binding needs a class_name`);
    if (Object.hasOwn(change.classes, className)) continue;
    const id = before[className];
    if (id !== undefined && change.deletedNamespaces.includes(id)) {
      return validationFailed(
        `Cannot apply --delete-class migration to class '${className}' without also removing the binding that references it`,
      );
    }
    return objectClassNotConfigured(className);
  }
  return undefined;
}

/** The classes after a change, with its bindings checked against them. */
export function classesAfter(
  current: ObjectClasses,
  migrations: Migrations | undefined,
  exports: ScriptExports | undefined,
  bindings: StoredBinding[],
): WorkersResult<ClassChange> {
  const change = changeClasses(current, migrations, exports);
  if (!change.ok) return change;
  const refused = objectBindingRefusal(bindings, change.value, current);
  return refused === undefined ? change : failure(refused);
}
