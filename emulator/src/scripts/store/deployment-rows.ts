import type { DeploymentVersion, VersionAnnotations } from "../../../../cloudflare-api/versions";
import type { StoreContext } from "./context";
import { DEPLOYMENTS, type DeploymentRow, insertRow } from "./schema";

/** A script's deployments as stored: the newest (highest `seq`, counted per script) is the active one. */

export interface StoredDeployment {
  id: string;
  seq: number;
  created_on: string;
  versions: DeploymentVersion[];
  annotations: Pick<VersionAnnotations, "workers/message" | "workers/triggered_by">;
}

const toDeployment = (row: DeploymentRow): StoredDeployment => ({
  id: row.id,
  seq: row.seq,
  created_on: row.created_on,
  versions: JSON.parse(row.versions) as DeploymentVersion[],
  annotations: JSON.parse(row.annotations) as StoredDeployment["annotations"],
});

/** The script's deployments, newest (the active one) first. */
export const deploymentsOf = ({ sql }: StoreContext, namespace: string, script: string): StoredDeployment[] =>
  sql
    .exec<DeploymentRow>(
      `SELECT * FROM ${DEPLOYMENTS.name} WHERE namespace = ? AND script = ? ORDER BY seq DESC`,
      namespace,
      script,
    )
    .toArray()
    .map(toDeployment);

/** The deployment serving the script's traffic. */
export function activeDeployment(
  { sql }: StoreContext,
  namespace: string,
  script: string,
): StoredDeployment | undefined {
  const [row] = sql
    .exec<DeploymentRow>(
      `SELECT * FROM ${DEPLOYMENTS.name} WHERE namespace = ? AND script = ? ORDER BY seq DESC LIMIT 1`,
      namespace,
      script,
    )
    .toArray();
  return row === undefined ? undefined : toDeployment(row);
}

export function findDeployment(
  { sql }: StoreContext,
  namespace: string,
  script: string,
  id: string,
): StoredDeployment | undefined {
  const [row] = sql
    .exec<DeploymentRow>(
      `SELECT * FROM ${DEPLOYMENTS.name} WHERE namespace = ? AND script = ? AND id = ?`,
      namespace,
      script,
      id.toLowerCase(),
    )
    .toArray();
  return row === undefined ? undefined : toDeployment(row);
}

/** Makes `versions` the script's active deployment (call inside a transaction). */
export function addDeployment(
  ctx: StoreContext,
  scope: { namespace: string; script: string },
  versions: DeploymentVersion[],
  annotations: StoredDeployment["annotations"],
  createdOn = new Date().toISOString(),
): StoredDeployment {
  const [row] = ctx.sql
    .exec<{ last: number | null }>(
      `SELECT MAX(seq) AS last FROM ${DEPLOYMENTS.name} WHERE namespace = ? AND script = ?`,
      scope.namespace,
      scope.script,
    )
    .toArray();
  const deployment: DeploymentRow = {
    namespace: scope.namespace,
    script: scope.script,
    id: crypto.randomUUID(),
    seq: (row?.last ?? 0) + 1,
    created_on: createdOn,
    versions: JSON.stringify(versions),
    annotations: JSON.stringify(annotations),
  };
  insertRow(ctx.sql, DEPLOYMENTS, deployment);
  return toDeployment(deployment);
}

export function deleteDeploymentRow({ sql }: StoreContext, namespace: string, script: string, id: string): void {
  sql.exec(`DELETE FROM ${DEPLOYMENTS.name} WHERE namespace = ? AND script = ? AND id = ?`, namespace, script, id);
}
