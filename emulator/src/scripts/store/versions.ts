import type { VersionDetail, VersionList } from "../../../../cloudflare-api/versions";
import { DEPLOYABLE_VERSIONS } from "../deployment-rules";
import { failure, success, versionNotFound, type WorkersResult } from "../errors";
import { versionDetail, versionSummary } from "../version-answers";
import type { StoreContext } from "./context";
import { findScript } from "./rows";
import { findVersion, versionsOf } from "./version-rows";

/** A script's versions as the API lists and reads them. */

export interface VersionListQuery {
  page: number;
  perPage: number;
  /** Only the versions a deployment may use (the latest 100), all on one page, as production answers. */
  deployable: boolean;
}

export interface VersionPage {
  list: VersionList;
  total: number;
}

export function listVersions(
  ctx: StoreContext,
  namespace: string,
  script: string,
  query: VersionListQuery,
): WorkersResult<VersionPage> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const versions = versionsOf(ctx, namespace, script);
  const page = query.deployable
    ? versions.slice(0, DEPLOYABLE_VERSIONS)
    : versions.slice((query.page - 1) * query.perPage, query.page * query.perPage);
  return success({
    list: { items: page.map(versionSummary) },
    total: query.deployable ? page.length : versions.length,
  });
}

export function getVersion(
  ctx: StoreContext,
  namespace: string,
  script: string,
  id: string,
): WorkersResult<VersionDetail> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const version = findVersion(ctx, namespace, script, id);
  return version === undefined ? failure(versionNotFound(id)) : success(versionDetail(version));
}
