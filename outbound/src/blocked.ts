import type { OutboundParams } from "../../platform/outbound";
import type { BlockReason } from "./policy";

/**
 * Counts a refused subrequest: one Analytics Engine data point, indexed by
 * tenant ("" when unknown). blobs: reason, hostname, plan, tenantId;
 * doubles: 1 (sum them to count).
 */
export function countBlocked(
  dataset: AnalyticsEngineDataset,
  params: OutboundParams | null,
  hostname: string,
  reason: BlockReason,
): void {
  try {
    dataset.writeDataPoint({
      indexes: [params?.tenantId ?? ""],
      blobs: [reason, hostname, params?.plan ?? "", params?.tenantId ?? ""],
      doubles: [1],
    });
  } catch (error) {
    console.error("outbound: could not count a blocked subrequest:", error);
  }
}

/** What the tenant's fetch() gets for a refused subrequest. */
export function blockedResponse(hostname: string, reason: BlockReason): Response {
  return Response.json(
    {
      error: {
        code: "egress_blocked",
        reason,
        message: `This platform does not let tenant Workers send requests to ${hostname} (${reason.replace("_", " ")}).`,
      },
    },
    { status: 403 },
  );
}

/**
 * What the tenant's fetch() gets locally when the network refuses a request
 * the policy let through (its name resolves to a non-public address) or cannot
 * reach it at all: the two look alike from here, and neither is the tenant's
 * to see in detail.
 */
export function unreachableResponse(hostname: string): Response {
  return Response.json(
    {
      error: {
        code: "egress_unreachable",
        message: `${hostname} could not be reached: from this machine, tenant Workers reach public addresses only.`,
      },
    },
    { status: 502 },
  );
}
