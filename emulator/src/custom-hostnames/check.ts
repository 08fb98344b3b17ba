import type {
  CustomHostnameSslStatus,
  CustomHostnameStatus,
  DcvMethod,
} from "../../../cloudflare-api/custom-hostnames";
import {
  asTxtRecord,
  dcvRecord,
  type HostnameTokens,
  isPublished,
  ownershipHttp,
  ownershipTxt,
  type Published,
} from "./records";

/** The part of a custom hostname a check can change. */
export type HostnameState = {
  status: CustomHostnameStatus;
  sslStatus: CustomHostnameSslStatus;
  verificationErrors: string[];
  validationErrors: string[];
};

export type CheckInput = {
  tokens: HostnameTokens;
  method: DcvMethod;
  state: HostnameState;
  /** When the validation window began (the creation, or the last edit of `ssl`). */
  startedAtMs: number;
  nowMs: number;
  timeoutMs: number;
  published: Published;
};

const OWNERSHIP_TIMED_OUT = "Custom hostname ownership verification timed out: the TXT or HTTP token was not found.";
const DCV_TIMED_OUT = "Certificate validation timed out: the DCV record was not found.";

/**
 * One validation pass, as Cloudflare runs on a pending hostname: ownership (the TXT record or the
 * HTTP token) makes the hostname `active`; the DCV record makes its certificate `active` (the
 * emulator issues and deploys at once, so pending_issuance and pending_deployment are not seen).
 * Past the timeout, whatever is still unproven stops being checked and says why, as production's
 * `validation_timed_out`; the hostname itself stays `pending` with a verification error.
 */
export function check(input: CheckInput): HostnameState {
  const { state, tokens, published } = input;
  const timedOut = input.nowMs - input.startedAtMs >= input.timeoutMs;
  const next: HostnameState = { ...state };
  if (state.status === "pending" && state.verificationErrors.length === 0) {
    const owned =
      isPublished(asTxtRecord(ownershipTxt(tokens)), published) || isPublished(ownershipHttp(tokens), published);
    if (owned) next.status = "active";
    else if (timedOut) next.verificationErrors = [OWNERSHIP_TIMED_OUT];
  }
  if (state.sslStatus === "pending_validation" || state.sslStatus === "initializing") {
    if (isPublished(dcvRecord(tokens, input.method), published)) next.sslStatus = "active";
    else if (timedOut) {
      next.sslStatus = "validation_timed_out";
      next.validationErrors = [DCV_TIMED_OUT];
    } else next.sslStatus = "pending_validation";
  }
  return next;
}
