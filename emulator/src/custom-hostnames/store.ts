import { DurableObject } from "cloudflare:workers";
import type { CustomHostnameListFilter, FallbackOrigin } from "../../../cloudflare-api/custom-hostname-requests";
import type {
  CustomHostname,
  CustomHostnameSslStatus,
  CustomHostnameStatus,
  DcvMethod,
} from "../../../cloudflare-api/custom-hostnames";
import type { Env } from "../env";
import { check, type HostnameState } from "./check";
import { dcvRecord, type HostnameTokens, ownershipHttp, ownershipTxt, type Published } from "./records";

/** The SQL condition of a list filter (hostnames are stored lower-case, as the API compares them). */
function whereOf(filter: CustomHostnameListFilter | undefined): { where: string; args: string[] } {
  if (filter === undefined) return { where: "", args: [] };
  switch (filter.match) {
    case "id":
      return { where: "WHERE id = ?", args: [filter.value] };
    case "exact":
      return { where: "WHERE hostname = ?", args: [filter.value] };
    case "contain":
      return { where: "WHERE instr(hostname, ?) > 0", args: [filter.value] };
    case "startsWith":
      return { where: "WHERE substr(hostname, 1, length(?)) = ?", args: [filter.value, filter.value] };
  }
}

/** Production gives a custom hostname 7 days to be validated before it stops trying. */
export const DEFAULT_VALIDATION_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

type Row = {
  id: string;
  hostname: string;
  ssl_id: string;
  ssl_method: string;
  ssl_settings: string;
  custom_metadata: string | null;
  status: string;
  ssl_status: string;
  verification_errors: string;
  validation_errors: string;
  ownership_token: string;
  dcv_token: string;
  created_at: string;
  /** When the validation window began: the creation, or the last edit of `ssl`. */
  validation_started_at: string;
};

export type NewHostname = {
  hostname: string;
  method: DcvMethod;
  settings: Record<string, unknown>;
  customMetadata?: Record<string, string>;
};
export type HostnameEdit = {
  /** Nothing to change: validation is tried again, as an edit of `ssl` to what it is. */
  refresh?: boolean;
  method?: DcvMethod;
  settings?: Record<string, unknown>;
  customMetadata?: Record<string, string>;
};
export type Created = { ok: true; value: CustomHostname } | { ok: false; reason: "exists" };

const newId = () => crypto.randomUUID();
const newToken = () => crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "").slice(0, 12);

const tokensOf = (row: Row): HostnameTokens => ({
  hostname: row.hostname,
  id: row.id,
  ownershipToken: row.ownership_token,
  dcvToken: row.dcv_token,
});

const stateOf = (row: Row): HostnameState => ({
  status: row.status as CustomHostnameStatus,
  sslStatus: row.ssl_status as CustomHostnameSslStatus,
  verificationErrors: JSON.parse(row.verification_errors) as string[],
  validationErrors: JSON.parse(row.validation_errors) as string[],
});

/** The answer's shape: records are shown while they are still needed, as production drops them once active. */
function answerOf(row: Row): CustomHostname {
  const tokens = tokensOf(row);
  const state = stateOf(row);
  const method = row.ssl_method as DcvMethod;
  const sslPending = state.sslStatus !== "active";
  return {
    id: row.id,
    hostname: row.hostname,
    status: state.status,
    verification_errors: state.verificationErrors,
    ownership_verification: ownershipTxt(tokens),
    ownership_verification_http: ownershipHttp(tokens),
    ssl: {
      id: row.ssl_id,
      status: state.sslStatus,
      method,
      type: "dv",
      validation_records: sslPending ? [dcvRecord(tokens, method)] : [],
      validation_errors: state.validationErrors.map((message) => ({ message })),
      ...{ settings: JSON.parse(row.ssl_settings) },
    },
    created_at: row.created_at,
    ...(row.custom_metadata === null ? {} : { custom_metadata: JSON.parse(row.custom_metadata) }),
  };
}

/**
 * The platform zone's custom hostnames, its fallback origin, and the emulator's DNS and HTTP table
 * that stands in for the internet the validation reads (one object: the emulator has one zone).
 * Every read of a hostname re-checks it first (see check.ts), so a test that publishes a record
 * sees the change on its next read, with no background timer.
 */
export class CustomHostnamesStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS custom_hostnames (
      id TEXT PRIMARY KEY, hostname TEXT NOT NULL UNIQUE, ssl_id TEXT NOT NULL, ssl_method TEXT NOT NULL,
      ssl_settings TEXT NOT NULL, custom_metadata TEXT, status TEXT NOT NULL, ssl_status TEXT NOT NULL,
      verification_errors TEXT NOT NULL, validation_errors TEXT NOT NULL, ownership_token TEXT NOT NULL,
      dcv_token TEXT NOT NULL, created_at TEXT NOT NULL, validation_started_at TEXT NOT NULL)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS dns_txt (name TEXT PRIMARY KEY, vals TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS http_bodies (url TEXT PRIMARY KEY, body TEXT NOT NULL)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  // Custom hostnames.

  create(input: NewHostname): Created {
    return this.ctx.storage.transactionSync(() => {
      if (this.sql.exec("SELECT 1 FROM custom_hostnames WHERE hostname = ?", input.hostname).toArray().length > 0) {
        return { ok: false, reason: "exists" } as const;
      }
      const id = newId();
      const now = new Date().toISOString();
      this.sql.exec(
        "INSERT INTO custom_hostnames VALUES (?, ?, ?, ?, ?, ?, 'pending', 'initializing', '[]', '[]', ?, ?, ?, ?)",
        id,
        input.hostname,
        newId(),
        input.method,
        JSON.stringify(input.settings),
        input.customMetadata === undefined ? null : JSON.stringify(input.customMetadata),
        newToken(),
        newToken(),
        now,
        now,
      );
      // Created "initializing"; the records are known at once, so the answer already shows them.
      return { ok: true, value: this.checked(this.row(id) as Row) } as const;
    });
  }

  get(id: string): CustomHostname | null {
    const row = this.row(id);
    return row === null ? null : this.checked(row);
  }

  /** One page, oldest first, optionally narrowed by one filter; only the page's hostnames are checked. */
  list(options: { filter?: CustomHostnameListFilter; page: number; perPage: number }): {
    items: CustomHostname[];
    total: number;
  } {
    const { where, args } = whereOf(options.filter);
    const rows = this.sql
      .exec<Row>(
        `SELECT * FROM custom_hostnames ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`,
        ...args,
        options.perPage,
        (options.page - 1) * options.perPage,
      )
      .toArray();
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM custom_hostnames ${where}`, ...args).one().n;
    return { items: rows.map((row) => this.checked(row)), total };
  }

  /**
   * An edit of `ssl` asks for validation again, from now (the validation window restarts, and what
   * had timed out is pending again): the same method and settings keep the records, as Cloudflare
   * documents ("used to indicate that hostname should pass domain control validation"); a new
   * method or settings re-issue with a new DCV record. An empty edit refreshes the same way.
   */
  edit(id: string, edit: HostnameEdit): CustomHostname | null {
    const row = this.row(id);
    if (row === null) return null;
    if (edit.method !== undefined || edit.refresh === true) {
      const method = edit.method ?? row.ssl_method;
      const settings = JSON.stringify(edit.settings ?? JSON.parse(row.ssl_settings));
      const reissued = method !== row.ssl_method || settings !== row.ssl_settings;
      const sslStatus = !reissued && row.ssl_status === "active" ? "active" : "initializing";
      this.sql.exec(
        `UPDATE custom_hostnames SET ssl_method = ?, ssl_settings = ?, ssl_status = ?, validation_errors = '[]',
           dcv_token = ?, verification_errors = CASE WHEN status = 'pending' THEN '[]' ELSE verification_errors END,
           validation_started_at = ?
         WHERE id = ?`,
        method,
        settings,
        sslStatus,
        reissued ? newToken() : row.dcv_token,
        new Date().toISOString(),
        id,
      );
    }
    if (edit.customMetadata !== undefined) {
      this.sql.exec(
        "UPDATE custom_hostnames SET custom_metadata = ? WHERE id = ?",
        JSON.stringify(edit.customMetadata),
        id,
      );
    }
    return this.checked(this.row(id) as Row);
  }

  delete(id: string): boolean {
    return this.sql.exec("DELETE FROM custom_hostnames WHERE id = ?", id).rowsWritten > 0;
  }

  // The validation timeout (production: 7 days), settable so a test can reach it at once.

  validationTimeoutMs(): number {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'timeout_ms'").toArray()[0];
    return row === undefined ? DEFAULT_VALIDATION_TIMEOUT_MS : Number(row.value);
  }

  setValidationTimeoutMs(ms: number): number {
    this.sql.exec("INSERT OR REPLACE INTO settings VALUES ('timeout_ms', ?)", String(ms));
    return ms;
  }

  // The fallback origin.

  fallbackOrigin(): FallbackOrigin | null {
    const row = this.sql
      .exec<{ value: string }>("SELECT value FROM settings WHERE key = 'fallback_origin'")
      .toArray()[0];
    return row === undefined ? null : (JSON.parse(row.value) as FallbackOrigin);
  }

  setFallbackOrigin(origin: string): FallbackOrigin {
    const now = new Date().toISOString();
    const created = this.fallbackOrigin()?.created_at ?? now;
    const value: FallbackOrigin = { origin, status: "active", errors: [], created_at: created, updated_at: now };
    this.sql.exec("INSERT OR REPLACE INTO settings VALUES ('fallback_origin', ?)", JSON.stringify(value));
    return value;
  }

  deleteFallbackOrigin(): FallbackOrigin | null {
    const existing = this.fallbackOrigin();
    this.sql.exec("DELETE FROM settings WHERE key = 'fallback_origin'");
    return existing;
  }

  // The DNS and HTTP table validation reads.

  setTxt(name: string, values: string[]): void {
    this.sql.exec("INSERT OR REPLACE INTO dns_txt VALUES (?, ?)", name.toLowerCase(), JSON.stringify(values));
  }

  deleteTxt(name: string): boolean {
    return this.sql.exec("DELETE FROM dns_txt WHERE name = ?", name.toLowerCase()).rowsWritten > 0;
  }

  setHttp(url: string, body: string): void {
    this.sql.exec("INSERT OR REPLACE INTO http_bodies VALUES (?, ?)", url, body);
  }

  deleteHttp(url: string): boolean {
    return this.sql.exec("DELETE FROM http_bodies WHERE url = ?", url).rowsWritten > 0;
  }

  private readonly published: Published = {
    txt: (name) => {
      const row = this.sql
        .exec<{ vals: string }>("SELECT vals FROM dns_txt WHERE name = ?", name.toLowerCase())
        .toArray()[0];
      return row === undefined ? [] : (JSON.parse(row.vals) as string[]);
    },
    http: (url) =>
      this.sql.exec<{ body: string }>("SELECT body FROM http_bodies WHERE url = ?", url).toArray()[0]?.body ?? null,
  };

  private row(id: string): Row | null {
    return this.sql.exec<Row>("SELECT * FROM custom_hostnames WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Runs one validation pass on the row, keeps what changed, and answers the result. */
  private checked(row: Row): CustomHostname {
    const next = check({
      tokens: tokensOf(row),
      method: row.ssl_method as DcvMethod,
      state: stateOf(row),
      startedAtMs: Date.parse(row.validation_started_at),
      nowMs: Date.now(),
      timeoutMs: this.validationTimeoutMs(),
      published: this.published,
    });
    const updated: Row = {
      ...row,
      status: next.status,
      ssl_status: next.sslStatus,
      verification_errors: JSON.stringify(next.verificationErrors),
      validation_errors: JSON.stringify(next.validationErrors),
    };
    this.sql.exec(
      "UPDATE custom_hostnames SET status = ?, ssl_status = ?, verification_errors = ?, validation_errors = ? WHERE id = ?",
      updated.status,
      updated.ssl_status,
      updated.verification_errors,
      updated.validation_errors,
      row.id,
    );
    return answerOf(updated);
  }
}

/** The one store (the emulator has one zone). */
export const customHostnamesStoreOf = (env: Env) =>
  env.CUSTOM_HOSTNAMES.get(env.CUSTOM_HOSTNAMES.idFromName("platform-zone"));
