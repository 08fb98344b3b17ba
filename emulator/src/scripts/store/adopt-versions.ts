import { toRecord } from "../script-record";
import type { StoreContext } from "./context";
import { addDeployment } from "./deployment-rows";
import { SCRIPTS, type ScriptRow, VERSIONS } from "./schema";
import { addVersion } from "./version-rows";

/**
 * Scripts stored before versions were: each gets its current code as version 1,
 * deployed to 100%, so that dispatch (which runs deployments) finds it. Runs when
 * the store starts; a script that has versions is left alone, so it runs once.
 */
export function adoptUnversionedScripts(ctx: StoreContext): void {
  const rows = ctx.sql
    .exec<ScriptRow>(
      `SELECT * FROM ${SCRIPTS.name} s WHERE NOT EXISTS (SELECT 1 FROM ${VERSIONS.name} v WHERE v.namespace = s.namespace AND v.script = s.name)`,
    )
    .toArray();
  if (rows.length === 0) return;
  ctx.transaction(() => {
    for (const row of rows) {
      const version = addVersion(ctx, toRecord(row, []), {});
      addDeployment(
        ctx,
        { namespace: row.namespace, script: row.name },
        [{ version_id: version.id, percentage: 100 }],
        {},
        row.modified_on,
      );
    }
  });
}
