import type { z } from "zod";
import {
  CreateDeploymentRequest,
  type DeploymentVersion,
  type ErrorCode,
  ListVersionsQuery,
  RollbackRequest,
  VersionList,
  type VersionView,
} from "../../../platform/tenants-api.ts";

type Refuse = (status: number, code: ErrorCode, message: string) => never;
type Parse = <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>;
type Version = Omit<VersionView, "percentage" | "previewUrl">;

/**
 * The fake control plane's versions, keeping the contract's shapes: each
 * `PUT …/script` makes one (deployed at 100%, or with `deploy=false` staged
 * at 0% beside the live one), listed newest first a page at a time; a
 * deployment of one or two known versions summing to 100; a rollback to a
 * named version, or to the one deployed before. Ids are fixed per tenant and
 * number (`<n>0000000-…`) so that tests can name them, and `ab` tenants get
 * two versions sharing a short id, to make a short id ambiguous.
 */
export function fakeVersions(now: () => string, refuse: Refuse, parse: Parse) {
  const versions = new Map<string, Version[]>();
  const deployments = new Map<string, DeploymentVersion[][]>();

  const idOf = (tenant: string, number: number) => {
    const lead = tenant.startsWith("ab") ? "abcdef01" : `${number}`.padStart(8, "0");
    return `${lead}-0000-4000-8000-${String(number).padStart(12, "0")}` as VersionView["id"];
  };
  const live = (tenant: string) => deployments.get(tenant)?.at(-1) ?? [];
  const deploy = (tenant: string, deployment: DeploymentVersion[]) =>
    deployments.set(tenant, [...(deployments.get(tenant) ?? []), deployment]);
  const known = (tenant: string, id: string) => (versions.get(tenant) ?? []).some((version) => version.id === id);

  return {
    /** A new version from an upload. */
    upload(tenant: string, options: { deploy: boolean; message?: string | undefined; createdBy: string }) {
      const list = versions.get(tenant) ?? [];
      const number = list.length + 1;
      const version = {
        id: idOf(tenant, number),
        number,
        createdAt: now(),
        message: options.message ?? "new code",
        createdBy: options.createdBy,
      };
      versions.set(tenant, [...list, version]);
      const leading = live(tenant).find((entry) => entry.percentage === 100);
      if (options.deploy || leading === undefined) deploy(tenant, [{ id: version.id, percentage: 100 }]);
      else deploy(tenant, [leading, { id: version.id, percentage: 0 }]);
    },

    list(tenant: string, query: unknown) {
      const { cursor, limit } = parse(ListVersionsQuery, query);
      const before = cursor === undefined ? Number.POSITIVE_INFINITY : Number(cursor);
      const older = [...(versions.get(tenant) ?? [])].reverse().filter((version) => version.number < before);
      const page = older.slice(0, limit);
      const deployed = live(tenant);
      return VersionList.parse({
        versions: page.map((version) => {
          const entry = deployed.find((candidate) => candidate.id === version.id);
          return {
            ...version,
            percentage: entry?.percentage ?? 0,
            previewUrl: entry === undefined ? null : `https://${version.id.slice(0, 8)}--${tenant}.platform.test/`,
          };
        }),
        cursor: older.length > limit ? String(page.at(-1)?.number) : null,
      });
    },

    deploy(tenant: string, body: unknown) {
      const request = parse(CreateDeploymentRequest, body);
      for (const version of request.versions) {
        if (!known(tenant, version.id))
          refuse(400, "invalid_request", `tenant "${tenant}" has no version ${version.id}`);
      }
      deploy(tenant, request.versions);
    },

    rollback(tenant: string, body: unknown) {
      const { versionId } = parse(RollbackRequest, body);
      const current = live(tenant)[0]?.id;
      const before = [...(deployments.get(tenant) ?? [])].reverse().find((entry) => entry[0]?.id !== current)?.[0]?.id;
      const target = versionId ?? before;
      if (target === undefined) return refuse(409, "conflict", `tenant "${tenant}" has no version to roll back to`);
      if (!known(tenant, target)) refuse(400, "invalid_request", `tenant "${tenant}" has no version ${target}`);
      deploy(tenant, [{ id: target, percentage: 100 }]);
    },

    clear() {
      versions.clear();
      deployments.clear();
    },
  };
}
