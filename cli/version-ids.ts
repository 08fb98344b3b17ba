import type { VersionView } from "../platform/tenants-api.ts";
import { api } from "./api.ts";
import type { Context } from "./command.ts";
import { usageError } from "./errors.ts";

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The short form `wfp versions` and preview hostnames show: a version id's first 8 hex digits. */
const SHORT_ID = /^[0-9a-f]{8}$/;

/** Every version of the tenant, newest first (all pages). */
export async function allVersions(context: Context, tenant: string): Promise<VersionView[]> {
  const versions: VersionView[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listVersions(context.connection, tenant, {
      limit: "100",
      ...(cursor === undefined ? {} : { cursor }),
    });
    versions.push(...page.versions);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined);
  return versions;
}

/**
 * A version as the operator names it: its id, or its first 8 hex digits,
 * resolved against the tenant's versions (unknown or ambiguous: a usage error
 * saying which). A full id goes as it is: the control plane says if it is not
 * the tenant's.
 */
export async function resolveVersion(context: Context, tenant: string, given: string): Promise<string> {
  const name = given.toLowerCase();
  if (FULL_ID.test(name)) return name;
  if (!SHORT_ID.test(name)) {
    throw usageError(`"${given}" is not a version: give its id or its first 8 hex digits (wfp versions ${tenant})`);
  }
  const matches = (await allVersions(context, tenant)).filter((version) => version.id.startsWith(name));
  const [only, ...others] = matches;
  if (only === undefined)
    throw usageError(`tenant ${tenant} has no version ${name} (wfp versions ${tenant} lists them)`);
  if (others.length > 0) {
    throw usageError(`${name} names ${matches.length} versions of ${tenant}: ${matches.map((v) => v.id).join(", ")}`);
  }
  return only.id;
}
