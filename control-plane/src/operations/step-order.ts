import type { OperationRow, TenantRow } from "../registry/rows";
import type { Step } from "./context";
import { createCustomHostnames, deleteCustomHostnames } from "./custom-hostname-steps";
import { setSchedules } from "./schedule-steps";
import {
  applySettings,
  checkScript,
  createD1,
  createKv,
  createR2,
  DeployInput,
  deleteSecret,
  finishTeardown,
  migrate,
  ProvisionInput,
  putSecret,
  removeLogs,
  routeHostnames,
  settle,
  TEARDOWN,
  UpdateInput,
  upload,
} from "./steps";
import { deployVersions, routeVersions, stageVersion, uploadVersion } from "./version-steps";

/**
 * The steps of an operation, in order. A provisioning that fails for good
 * turns to its rollback phase: the teardown, ending in `failed`.
 */
export function stepsOf(operation: OperationRow, tenant: TenantRow): readonly Step[] {
  if (operation.phase === "rollback") return [...TEARDOWN, finishTeardown("failed")];
  switch (operation.kind) {
    case "provision": {
      const { scriptKey } = ProvisionInput.parse(operation.input);
      const wanted = tenant.wanted_resources;
      return [
        checkScript,
        ...(wanted.kv ? [createKv] : []),
        ...(wanted.r2 ? [createR2] : []),
        ...(wanted.d1 ? [createD1] : []),
        migrate(() => scriptKey),
        upload(() => scriptKey),
        setSchedules,
        createCustomHostnames,
        routeHostnames,
        routeVersions,
        settle,
      ];
    }
    case "deploy": {
      const { scriptKey, deploy } = DeployInput.parse(operation.input);
      // D1 migrations are applied for a staged version too: its preview needs them, and the live
      // version shares the database (so they must suit both, as with any migration before a deploy).
      // After the version's upload: a version the API refuses leaves the database as it was.
      return deploy
        ? [migrate(() => scriptKey), upload(() => scriptKey), setSchedules, routeVersions, settle]
        : [uploadVersion(scriptKey), migrate(() => scriptKey), stageVersion, routeVersions, settle];
    }
    case "deployment":
      return [deployVersions, routeVersions, settle];
    case "update": {
      const { reupload } = UpdateInput.parse(operation.input);
      // Routes first: they need no upload, so they neither wait on nor fail with it.
      return [
        createCustomHostnames,
        // Before their release in write_routes: a hostname is the tenant's until its custom hostname is gone too.
        deleteCustomHostnames("removing"),
        routeHostnames,
        ...(reupload ? [upload((context) => context.tenant.script_key)] : []),
        applySettings,
        // Previews follow the plan and suspension; a re-upload's version replaces the deployment.
        routeVersions,
        settle,
      ];
    }
    case "put_secret":
      return [putSecret, routeVersions];
    case "delete_secret":
      return [deleteSecret, routeVersions];
    case "delete":
      // The tenant's logs go too; a failed provisioning's stay, for its operators to read until it is deleted.
      return [...TEARDOWN, removeLogs, finishTeardown("deleted")];
  }
}

/** Steps are recorded per phase: a rollback's `delete_kv` is not the forward phase's. */
export const recordedStepName = (operation: OperationRow, step: Step): string =>
  operation.phase === "rollback" ? `rollback:${step.name}` : step.name;
