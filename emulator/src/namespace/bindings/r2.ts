import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../../env";

export class TenantR2Bucket extends WorkerEntrypoint<Env, { accountId: string; bucketName: string }> {}
