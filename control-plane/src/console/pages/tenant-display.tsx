import type { OperationState, StepState, TenantState } from "../../../../platform/tenants-api";

/** A badge's colour class: the text always says the state too, so colour is never the only sign. */
type Tone = "ok" | "warn" | "bad" | "info" | "muted";

const TENANT_TONES: Record<TenantState, Tone> = {
  provisioning: "info",
  active: "ok",
  failed: "bad",
  suspended: "warn",
  deleting: "info",
  deleted: "muted",
};

const WORK_TONES: Record<OperationState | StepState, Tone> = {
  queued: "muted",
  running: "info",
  succeeded: "ok",
  failed: "bad",
};

export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export const TenantStateBadge = ({ state }: { state: TenantState }) => (
  <Badge tone={TENANT_TONES[state]}>{state}</Badge>
);

/** An operation's or a step's state. */
export const WorkStateBadge = ({ state }: { state: OperationState | StepState }) => (
  <Badge tone={WORK_TONES[state]}>{state}</Badge>
);

/** A moment, readable (UTC, to the second) and machine-readable. */
export function When({ at }: { at: string | null }) {
  if (at === null) return <span class="muted">never</span>;
  return <time datetime={at}>{`${at.slice(0, 10)} ${at.slice(11, 19)} UTC`}</time>;
}
