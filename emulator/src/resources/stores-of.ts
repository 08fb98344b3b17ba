import type { AccountId } from "../../../cloudflare-api/names";
import type { Env } from "../env";

/** The registry of one account's KV namespaces, R2 buckets and D1 databases. */
export const resourcesStoreOf = (env: Env, accountId: AccountId) =>
  env.RESOURCES_STORE.get(env.RESOURCES_STORE.idFromName(accountId));

/** The object holding one D1 database's SQLite file. Only call it for a database the registry knows. */
export const d1DatabaseOf = (env: Env, uuid: string) => env.D1_DATABASES.get(env.D1_DATABASES.idFromName(uuid));
