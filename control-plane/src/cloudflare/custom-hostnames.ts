import { CustomHostname, type DcvMethod } from "../../../cloudflare-api/custom-hostnames";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { ZoneId } from "../../../cloudflare-api/names";
import { deleteIfPresent } from "./delete-if-present";
import { findOrCreate } from "./find-or-create";
import type { CloudflareApi } from "./transport";

/** What a custom hostname is created with: the tenant it is for rides along as metadata. */
export interface CustomHostnameRequest {
  readonly hostname: string;
  readonly method: DcvMethod;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Cloudflare for SaaS custom hostnames on one zone (the platform's). Answers are parsed with
 * the shared zod shape, so a field out of shape fails here rather than deep in a step.
 */
export class CustomHostnames {
  constructor(
    private readonly api: CloudflareApi,
    private readonly zoneId: ZoneId,
  ) {}

  /**
   * The zone's custom hostname for `hostname`, or null. Asked as the SDK sends it
   * (`hostname.exact=`); every page is read and the exact name picked, so an API that
   * answers a wider list still gives the right one.
   */
  async find(hostname: string): Promise<CustomHostname | null> {
    const { api, zoneId } = this;
    return api.run(`find custom hostname ${hostname}`, "idempotent", async () => {
      for await (const found of api.sdk.customHostnames.list({
        zone_id: zoneId,
        hostname: { exact: hostname },
        per_page: 50,
      })) {
        if (found.hostname === hostname) return CustomHostname.parse(found);
      }
      return null;
    });
  }

  async get(id: string): Promise<CustomHostname> {
    const { api, zoneId } = this;
    const found = await api.run(`get custom hostname ${id}`, "idempotent", () =>
      api.sdk.customHostnames.get(id, { zone_id: zoneId }),
    );
    return CustomHostname.parse(found);
  }

  /**
   * The custom hostname for `request.hostname`, created (DV certificate) if the zone has none.
   * One found is returned as it is: whose it is (its metadata) is the caller's to judge.
   */
  ensure(request: CustomHostnameRequest): Promise<CustomHostname> {
    const { api, zoneId } = this;
    return findOrCreate({
      find: () => this.find(request.hostname),
      create: async () => {
        const created = await api.run(`create custom hostname ${request.hostname}`, "once", () =>
          api.sdk.customHostnames.create({
            zone_id: zoneId,
            hostname: request.hostname,
            ssl: { method: request.method, type: "dv" },
            ...(request.metadata === undefined ? {} : { custom_metadata: { ...request.metadata } }),
          }),
        );
        return CustomHostname.parse(created);
      },
      existsCode: ErrorCode.customHostnameExists,
    });
  }

  /**
   * Asks Cloudflare to validate the hostname again: an edit of its `ssl` to what it is, which the
   * API documents as saying the hostname should pass domain control validation (the records stay).
   */
  async revalidate(id: string, method: DcvMethod): Promise<CustomHostname> {
    const { api, zoneId } = this;
    const edited = await api.run(`revalidate custom hostname ${id}`, "idempotent", () =>
      api.sdk.customHostnames.edit(id, { zone_id: zoneId, ssl: { method, type: "dv" } }),
    );
    return CustomHostname.parse(edited);
  }

  /** Deletes a custom hostname; one that is not there is already deleted. */
  async delete(id: string): Promise<void> {
    const { api, zoneId } = this;
    await deleteIfPresent(
      () =>
        api.run(`delete custom hostname ${id}`, "idempotent", () =>
          api.sdk.customHostnames.delete(id, { zone_id: zoneId }),
        ),
      ErrorCode.customHostnameNotFound,
    );
  }
}
