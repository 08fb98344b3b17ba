import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { deleteIfPresent } from "./delete-if-present";
import { isApiError } from "./errors";
import { createOrFind } from "./find-or-create";
import type { CloudflareApi } from "./transport";

export interface R2BucketRef {
  readonly name: string;
}

/** Objects listed per request while emptying a bucket: the API's maximum. */
const EMPTY_PAGE_SIZE = 1000;

/** R2 buckets. */
export class R2Buckets {
  constructor(private readonly api: CloudflareApi) {}

  async find(name: string): Promise<R2BucketRef | null> {
    const { api } = this;
    try {
      const bucket = await api.run(`get R2 bucket ${name}`, "idempotent", () =>
        api.sdk.r2.buckets.get(name, { account_id: api.accountId }),
      );
      return { name: bucket.name ?? name };
    } catch (error) {
      if (isApiError(error, ErrorCode.r2BucketNotFound)) return null;
      throw error;
    }
  }

  /** The bucket `name`, created (one call); "already exists" counts as done (a bucket is its name). */
  ensure(name: string): Promise<R2BucketRef> {
    const { api } = this;
    return createOrFind({
      find: () => this.find(name),
      create: async () => {
        await api.run(`create R2 bucket ${name}`, "once", () =>
          api.sdk.r2.buckets.create({ account_id: api.accountId, name }),
        );
        return { name };
      },
      existsCode: ErrorCode.r2BucketExists,
      existing: async () => ({ name }),
    });
  }

  /**
   * Deletes every object in the bucket, a page at a time. Each page is listed
   * from the start again, as deleting what the last page listed moves any
   * cursor's ground. Returns how many objects were deleted.
   */
  async empty(name: string, pageSize = EMPTY_PAGE_SIZE): Promise<number> {
    const { api } = this;
    let deleted = 0;
    for (;;) {
      const page = await api.run(`list objects of R2 bucket ${name}`, "idempotent", () =>
        api.sdk.r2.buckets.objects.list(name, { account_id: api.accountId, per_page: pageSize }),
      );
      const keys = page.result.flatMap((object) => (object.key === undefined ? [] : [object.key]));
      for (const key of keys) {
        await api.run(`delete object from R2 bucket ${name}`, "idempotent", () =>
          api.sdk.r2.buckets.objects.delete(key, { account_id: api.accountId, bucket_name: name }),
        );
      }
      deleted += keys.length;
      if (keys.length === 0 || !page.hasNextPage()) return deleted;
    }
  }

  /** Empties the bucket and deletes it; a bucket that is not there is already deleted. */
  async delete(name: string): Promise<void> {
    const { api } = this;
    await deleteIfPresent(async () => {
      await this.empty(name);
      await api.run(`delete R2 bucket ${name}`, "idempotent", () =>
        api.sdk.r2.buckets.delete(name, { account_id: api.accountId }),
      );
    }, ErrorCode.r2BucketNotFound);
  }
}
