import type { TenantList, TenantView } from "../platform/tenants-api.ts";
import type { CliError } from "./errors.ts";

/**
 * Where results and messages go. Results on stdout (as JSON with --json, and
 * then nothing else there); progress, notes and errors on stderr.
 */
export type Output = {
  readonly json: boolean;
  /** A command's result. */
  result(value: unknown, human: () => string): void;
  /** A line for the operator, never for a script: stderr, and not at all with --json. */
  note(line: string): void;
  error(error: CliError): void;
  readonly stderr: NodeJS.WriteStream;
};

export function createOutput(json: boolean): Output {
  const { stdout, stderr } = process;
  return {
    json,
    stderr,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    note(line) {
      if (!json) stderr.write(`${line}\n`);
    },
    error(error) {
      if (json) {
        const details = error.details.length > 0 ? { details: error.details } : {};
        stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message, ...details } })}\n`);
        return;
      }
      const status = error.status === undefined ? "" : ` (HTTP ${error.status})`;
      const lines = [`wfp: ${error.code}${status}: ${error.message}`];
      for (const detail of error.details) lines.push(`  ${detail.path || "(body)"}: ${detail.message}`);
      stderr.write(`${lines.join("\n")}\n`);
    },
  };
}

export function formatTenant(tenant: TenantView): string {
  const { kv, r2, d1 } = tenant.resources;
  const resources = [
    kv === null ? null : `kv ${kv.title} (${kv.id})`,
    r2 === null ? null : `r2 ${r2.name}`,
    d1 === null ? null : `d1 ${d1.name} (${d1.id})`,
  ].filter((line) => line !== null);
  const script =
    tenant.script === null
      ? "none"
      : `${tenant.script.name} (compatibility date ${tenant.script.compatibilityDate}, uploaded ${tenant.script.uploadedAt ?? "not yet"})`;
  const rows: [string, string][] = [
    ["plan", tenant.plan],
    ["state", tenant.state],
    ["hostnames", tenant.hostnames.join(", ") || "none"],
    ["script", script],
    ...durableObjectsRow(tenant),
    ...cronsRow(tenant),
    ["resources", resources.join(", ") || "none"],
    ["vars", Object.keys(tenant.vars).join(", ") || "none"],
    ["secrets", tenant.secrets.join(", ") || "none"],
  ];
  if (tenant.pending !== null) rows.push(["pending", formatPending(tenant.pending)]);
  if (tenant.operation !== null) rows.push(["operation", formatOperation(tenant)]);
  if (tenant.lastError !== null) {
    rows.push(["last error", `${tenant.lastError.code}: ${tenant.lastError.message} (${tenant.lastError.at})`]);
  }
  return [`tenant ${tenant.id}`, ...rows.map(([name, value]) => `  ${name.padEnd(10)} ${value}`)].join("\n");
}

/** The script's cron triggers (UTC), when it has any, comma-separated. */
function cronsRow(tenant: TenantView): [string, string][] {
  const crons = tenant.script?.crons ?? [];
  return crons.length === 0 ? [] : [["crons", `${crons.join(", ")} (UTC)`]];
}

/** The script's Durable Objects, when it has any: `ROOM=Room; classes Lobby, Room (tag v2-…)`. */
function durableObjectsRow(tenant: TenantView): [string, string][] {
  const objects = tenant.script?.durableObjects;
  if (objects === undefined || objects.classes.length === 0) return [];
  const bindings = Object.entries(objects.bindings).map(([name, className]) => `${name}=${className}`);
  const classes = `classes ${objects.classes.join(", ")} (tag ${objects.migrationTag ?? "none"})`;
  return [["objects", [...bindings, classes].join("; ")]];
}

/** A change asked for and not live yet: what it will be. */
function formatPending(pending: NonNullable<TenantView["pending"]>): string {
  return [
    pending.plan === undefined ? null : `plan ${pending.plan}`,
    pending.suspended === undefined ? null : pending.suspended ? "suspended" : "resumed",
    pending.vars === undefined ? null : `vars ${Object.keys(pending.vars).join(", ") || "none"}`,
    pending.hostnames === undefined ? null : `hostnames ${pending.hostnames.join(", ")}`,
  ]
    .filter((part) => part !== null)
    .join("; ");
}

export function formatOperation(tenant: TenantView): string {
  const operation = tenant.operation;
  if (operation === null) return "none";
  const step = operation.step === null ? "" : `, step ${operation.step}`;
  return `${operation.kind} ${operation.state}${step}`;
}

export function formatTenantList(list: TenantList): string {
  if (list.tenants.length === 0) return "no tenants";
  return formatTable([
    ["ID", "PLAN", "STATE", "HOSTNAME", "OPERATION"],
    ...list.tenants.map((t) => [t.id, t.plan, t.state, t.hostnames[0] ?? "", formatOperation(t)]),
  ]);
}

/** Rows as columns padded to their widest cell, the first row the heading. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
