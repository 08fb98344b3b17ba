import { DurableObject } from "cloudflare:workers";
import { type AccountId, MAX_TAGS } from "../../../cloudflare-api/names";
import type {
  BulkDeleteResult,
  DispatchNamespace,
  NamespaceScript,
  PublicBinding,
  ScriptMetadata,
  ScriptSettings,
  ScriptSettingsPatch,
  SecretInput,
  SecretSummary,
  UploadResult,
} from "../../../cloudflare-api/script-metadata";
import type { Exports, RunScope } from "../bindings/kind";
import { runnableBindingTypes } from "../bindings/runnable-types";
import { checkStartup } from "../dispatch/startup-check";
import type { Env } from "../env";

import {
  malformedReference,
  missingResourceError,
  publicBinding,
  resolveBindings,
  resourceRefs,
  type StoredBinding,
  unrunnableBinding,
} from "./bindings";
import {
  failure,
  invalidTag,
  namespaceExists,
  namespaceNotFound,
  scriptNotFound,
  secretNotFound,
  success,
  tooManyTags,
  validationFailed,
  type WorkersError,
  type WorkersResult,
} from "./errors";
import { computeEtag, sha256Hex } from "./etag";
import { nextMigrationTag } from "./migrations";
import { checkMainModule, type ModuleUpload, moduleKey } from "./modules";
import {
  mergeSettings,
  namespaceScript,
  type RunnableScript,
  runnableScript,
  type ScriptRecord,
  type ScriptSettingsRecord,
  type ScriptVersion,
  type StoredModule,
  scriptSettings,
  uploadResult,
} from "./script-record";
import { matchesTagFilter, type TagFilter } from "./tag-filter";

/** `PUT …/scripts/{name}`, validated as far as it can be without the store. */
export interface UploadRequest {
  namespace: string;
  script: string;
  metadata: ScriptMetadata;
  mainModule: string;
  modules: ModuleUpload[];
  /** `bindings_inherit=strict`: an `inherit` naming nothing is refused rather than dropped. */
  strictInherit: boolean;
}

/** `PUT …/scripts/{name}/content`: new modules, the same bindings and settings. */
export interface ContentRequest {
  namespace: string;
  script: string;
  /** Omitted: the current main module, which must then be among the new modules. */
  mainModule: string | undefined;
  modules: ModuleUpload[];
}

export interface ScriptListQuery {
  filter: TagFilter | null;
  limit: number;
  /** The last script name of the previous page. */
  after: string | undefined;
}

export interface ScriptPage {
  scripts: NamespaceScript[];
  /** The last name on this page when more follow. */
  last: string | undefined;
}

type NamespaceRow = { name: string; id: string; created_on: string; modified_on: string; created_by: string };
type ScriptRow = {
  namespace: string;
  name: string;
  tag: string;
  etag: string;
  created_on: string;
  modified_on: string;
  migration_tag: string | null;
  version: string;
  settings: string;
};

/** What a new version is made of, before its etag (and so its module keys) is known. */
type VersionDraft = Omit<ScriptVersion, "modules"> & { modules: Omit<StoredModule, "r2Key">[] };

const newScriptTag = () => crypto.randomUUID().replaceAll("-", "");

async function hashModules(modules: ModuleUpload[]): Promise<Omit<StoredModule, "r2Key">[]> {
  return Promise.all(
    modules.map(async (m) => ({
      name: m.name,
      type: m.type,
      size: m.body.byteLength,
      sha256: await sha256Hex(m.body),
    })),
  );
}

/**
 * One account's Workers for Platforms state (one object per account):
 * dispatch namespaces, their scripts (metadata, bindings incl. secrets,
 * etag, migration tag, module list), and tags. Module bodies live in
 * SCRIPT_MODULES under the version's etag: written before the metadata
 * commit, the previous version's deleted after it, so a failed change leaves
 * the previous version whole. Changes to a script run one at a time; each
 * commits in one SQLite transaction.
 */
export class WorkersStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private queue: Promise<unknown> = Promise.resolve();
  private etagKey: Promise<CryptoKey> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS namespaces (
      name TEXT PRIMARY KEY, id TEXT NOT NULL, created_on TEXT NOT NULL, modified_on TEXT NOT NULL,
      created_by TEXT NOT NULL, seq INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS scripts (
      namespace TEXT NOT NULL, name TEXT NOT NULL, tag TEXT NOT NULL, etag TEXT NOT NULL,
      created_on TEXT NOT NULL, modified_on TEXT NOT NULL, migration_tag TEXT,
      version TEXT NOT NULL, settings TEXT NOT NULL, PRIMARY KEY (namespace, name))`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS script_tags (
      namespace TEXT NOT NULL, script TEXT NOT NULL, tag TEXT NOT NULL, position INTEGER NOT NULL,
      PRIMARY KEY (namespace, script, tag))`);
  }

  // -------------------------------------------------------------------------
  // Dispatch namespaces.

  createNamespace(accountId: string, name: string): WorkersResult<DispatchNamespace> {
    if (this.namespaceRow(name) !== undefined) return failure(namespaceExists(name));
    const now = new Date().toISOString();
    const seq = this.sql.exec<{ s: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM namespaces").one().s;
    this.sql.exec(
      "INSERT INTO namespaces VALUES (?, ?, ?, ?, ?, ?)",
      name,
      crypto.randomUUID(),
      now,
      now,
      accountId,
      seq,
    );
    return success(this.namespaceView(this.namespaceRow(name) as NamespaceRow));
  }

  listNamespaces(): DispatchNamespace[] {
    return this.sql
      .exec<NamespaceRow>("SELECT name, id, created_on, modified_on, created_by FROM namespaces ORDER BY seq")
      .toArray()
      .map((row) => this.namespaceView(row));
  }

  getNamespace(name: string): WorkersResult<DispatchNamespace> {
    const row = this.namespaceRow(name);
    return row === undefined ? failure(namespaceNotFound(name)) : success(this.namespaceView(row));
  }

  /** Deletes the namespace and every script in it. */
  deleteNamespace(name: string): Promise<WorkersResult<null>> {
    return this.exclusive(async () => {
      if (this.namespaceRow(name) === undefined) return failure(namespaceNotFound(name));
      const scripts = this.scriptRecords(name);
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("DELETE FROM script_tags WHERE namespace = ?", name);
        this.sql.exec("DELETE FROM scripts WHERE namespace = ?", name);
        this.sql.exec("DELETE FROM namespaces WHERE name = ?", name);
      });
      await this.deleteBodies(scripts.map((s) => s.version));
      return success(null);
    });
  }

  // -------------------------------------------------------------------------
  // Scripts.

  putScript(accountId: string, request: UploadRequest): Promise<WorkersResult<UploadResult>> {
    return this.exclusive(async () => {
      const { namespace, script, metadata } = request;
      if (this.namespaceRow(namespace) === undefined) return failure(namespaceNotFound(namespace));
      const main = checkMainModule(request.mainModule, request.modules);
      if (!main.ok) return main;
      const previous = this.readScript(namespace, script);
      const migrationTag = nextMigrationTag(previous?.migration_tag ?? null, metadata.migrations);
      if (!migrationTag.ok) return migrationTag;
      const bindings = resolveBindings({
        given: metadata.bindings ?? [],
        previous: previous?.version.bindings ?? [],
        keepTypes: metadata.keep_bindings ?? [],
        strictInherit: request.strictInherit,
      });
      if (!bindings.ok) return bindings;
      const refused = await this.checkReferences(accountId, bindings.value);
      if (refused !== undefined) return failure(refused);
      const next = await this.nextRecord(
        accountId,
        previous,
        { namespace, script },
        {
          main_module: main.value,
          modules: await hashModules(request.modules),
          compatibility_date: metadata.compatibility_date,
          compatibility_flags: metadata.compatibility_flags ?? [],
          bindings: bindings.value,
        },
        mergeSettings(previous?.settings ?? {}, metadata),
        migrationTag.value,
      );
      const startup = await this.checkStartup(accountId, next, request.modules);
      if (startup !== undefined) return failure(startup);
      await this.saveVersion(previous, next, request.modules, metadata.tags);
      return success(uploadResult(this.requireScript(namespace, script)));
    });
  }

  getScript(namespace: string, script: string): WorkersResult<NamespaceScript> {
    const found = this.findScript(namespace, script);
    return found.ok ? success(namespaceScript(found.value)) : found;
  }

  listScripts(namespace: string, query: ScriptListQuery): WorkersResult<ScriptPage> {
    if (this.namespaceRow(namespace) === undefined) return failure(namespaceNotFound(namespace));
    const matching = this.scriptRecords(namespace).filter(
      (s) => matchesTagFilter(s.tags, query.filter) && (query.after === undefined || s.name > query.after),
    );
    const page = matching.slice(0, query.limit);
    const more = matching.length > page.length;
    return success({ scripts: page.map(namespaceScript), last: more ? page.at(-1)?.name : undefined });
  }

  deleteScript(namespace: string, script: string): Promise<WorkersResult<null>> {
    return this.exclusive(async () => {
      const found = this.findScript(namespace, script);
      if (!found.ok) return found;
      this.ctx.storage.transactionSync(() => this.deleteScriptRows(namespace, script));
      await this.deleteBodies([found.value.version]);
      return success(null);
    });
  }

  /** Deletes up to `limit` scripts matching the filter (all scripts when there is none), in name order. */
  deleteScripts(namespace: string, filter: TagFilter | null, limit: number): Promise<WorkersResult<BulkDeleteResult>> {
    return this.exclusive(async () => {
      if (this.namespaceRow(namespace) === undefined) return failure(namespaceNotFound(namespace));
      const matching = this.scriptRecords(namespace).filter((s) => matchesTagFilter(s.tags, filter));
      const doomed = matching.slice(0, limit);
      this.ctx.storage.transactionSync(() => {
        for (const s of doomed) this.deleteScriptRows(namespace, s.name);
      });
      await this.deleteBodies(doomed.map((s) => s.version));
      return success({
        deleted: doomed.map((s) => ({ id: s.tag })),
        deleted_count: doomed.length,
        has_more: matching.length > doomed.length,
      });
    });
  }

  // -------------------------------------------------------------------------
  // Content.

  /** Where each module body of the current version lives, for `GET …/content`. */
  getContent(
    namespace: string,
    script: string,
  ): WorkersResult<{ mainModule: string; modules: RunnableScript["modules"] }> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    const { main_module, modules } = found.value.version;
    return success({
      mainModule: main_module,
      modules: modules.map(({ name, type, r2Key }) => ({ name, type, r2Key })),
    });
  }

  putContent(accountId: string, request: ContentRequest): Promise<WorkersResult<UploadResult>> {
    return this.exclusive(async () => {
      const { namespace, script } = request;
      const found = this.findScript(namespace, script);
      if (!found.ok) return found;
      const previous = found.value;
      const main = checkMainModule(request.mainModule ?? previous.version.main_module, request.modules);
      if (!main.ok) return main;
      const next = await this.nextRecord(
        accountId,
        previous,
        { namespace, script },
        { ...previous.version, main_module: main.value, modules: await hashModules(request.modules) },
        previous.settings,
        previous.migration_tag,
      );
      const startup = await this.checkStartup(accountId, next, request.modules);
      if (startup !== undefined) return failure(startup);
      await this.saveVersion(previous, next, request.modules, undefined);
      return success(uploadResult(this.requireScript(namespace, script)));
    });
  }

  // -------------------------------------------------------------------------
  // Bindings and settings.

  getBindings(namespace: string, script: string): WorkersResult<PublicBinding[]> {
    const found = this.findScript(namespace, script);
    return found.ok ? success(found.value.version.bindings.map(publicBinding)) : found;
  }

  getSettings(namespace: string, script: string): WorkersResult<ScriptSettings> {
    const found = this.findScript(namespace, script);
    return found.ok ? success(scriptSettings(found.value)) : found;
  }

  /** Changes what the PATCH names; `bindings`, when given, is the whole new list (`inherit` carries the rest). */
  patchSettings(
    accountId: string,
    namespace: string,
    script: string,
    patch: ScriptSettingsPatch,
  ): Promise<WorkersResult<ScriptSettings>> {
    return this.exclusive(async () => {
      const found = this.findScript(namespace, script);
      if (!found.ok) return found;
      const previous = found.value;
      const migrationTag = nextMigrationTag(previous.migration_tag, patch.migrations);
      if (!migrationTag.ok) return migrationTag;
      let bindings = previous.version.bindings;
      if (patch.bindings !== undefined) {
        const resolved = resolveBindings({
          given: patch.bindings,
          previous: previous.version.bindings,
          keepTypes: [],
          strictInherit: true,
        });
        if (!resolved.ok) return resolved;
        const refused = await this.checkReferences(accountId, resolved.value);
        if (refused !== undefined) return failure(refused);
        bindings = resolved.value;
      }
      const next = await this.nextRecord(
        accountId,
        previous,
        { namespace, script },
        {
          ...previous.version,
          bindings,
          compatibility_date: patch.compatibility_date ?? previous.version.compatibility_date,
          compatibility_flags: patch.compatibility_flags ?? previous.version.compatibility_flags,
        },
        mergeSettings(previous.settings, patch),
        migrationTag.value,
      );
      await this.saveVersion(previous, next, undefined, patch.tags);
      return success(scriptSettings(this.requireScript(namespace, script)));
    });
  }

  // -------------------------------------------------------------------------
  // Tags: script-level, so changing them makes no new version.

  getTags(namespace: string, script: string): WorkersResult<string[]> {
    const found = this.findScript(namespace, script);
    return found.ok ? success(found.value.tags) : found;
  }

  /** Replaces the tags (already checked against the tag rules). */
  putTags(namespace: string, script: string, tags: string[]): WorkersResult<string[]> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    this.ctx.storage.transactionSync(() => this.replaceTags(namespace, script, tags));
    return success(this.tagsOf(namespace, script));
  }

  addTag(namespace: string, script: string, tag: string): WorkersResult<null> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    if (/[,&]/.test(tag)) return failure(invalidTag());
    const tags = found.value.tags;
    if (tags.includes(tag)) return success(null);
    if (tags.length >= MAX_TAGS) return failure(tooManyTags());
    this.sql.exec("INSERT INTO script_tags VALUES (?, ?, ?, ?)", namespace, script, tag, tags.length);
    return success(null);
  }

  removeTag(namespace: string, script: string, tag: string): WorkersResult<null> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    this.sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ? AND tag = ?", namespace, script, tag);
    return success(null);
  }

  // -------------------------------------------------------------------------
  // Secrets: secret_text bindings, changed one at a time. Values go in, never out.

  listSecrets(namespace: string, script: string): WorkersResult<SecretSummary[]> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    return success(
      found.value.version.bindings.flatMap((b) => (b.type === "secret_text" ? [{ name: b.name, type: b.type }] : [])),
    );
  }

  getSecret(namespace: string, script: string, name: string): WorkersResult<SecretSummary> {
    const found = this.findScript(namespace, script);
    if (!found.ok) return found;
    const secret = found.value.version.bindings.find((b) => b.type === "secret_text" && b.name === name);
    return secret === undefined ? failure(secretNotFound(name)) : success({ name, type: "secret_text" });
  }

  putSecret(
    accountId: string,
    namespace: string,
    script: string,
    secret: SecretInput,
  ): Promise<WorkersResult<SecretSummary>> {
    return this.exclusive(async () => {
      const found = this.findScript(namespace, script);
      if (!found.ok) return found;
      const bindings = found.value.version.bindings;
      const clash = bindings.find((b) => b.name === secret.name && b.type !== "secret_text");
      if (clash !== undefined) {
        return failure(validationFailed(`Binding name '${secret.name}' is already in use by a ${clash.type} binding`));
      }
      const stored: StoredBinding = { type: "secret_text", name: secret.name, text: secret.text };
      const replaced = bindings.some((b) => b.name === secret.name);
      await this.reviseBindings(
        accountId,
        found.value,
        replaced ? bindings.map((b) => (b.name === secret.name ? stored : b)) : [...bindings, stored],
      );
      return success({ name: secret.name, type: "secret_text" });
    });
  }

  deleteSecret(accountId: string, namespace: string, script: string, name: string): Promise<WorkersResult<null>> {
    return this.exclusive(async () => {
      const found = this.findScript(namespace, script);
      if (!found.ok) return found;
      const bindings = found.value.version.bindings;
      if (!bindings.some((b) => b.type === "secret_text" && b.name === name)) return failure(secretNotFound(name));
      await this.reviseBindings(
        accountId,
        found.value,
        bindings.filter((b) => b.name !== name),
      );
      return success(null);
    });
  }

  // -------------------------------------------------------------------------
  // For the emulator's own dispatcher.

  /** Everything needed to run a script, secret values included; null when there is no such script. */
  getRunnableScript(namespace: string, script: string): RunnableScript | null {
    const record = this.readScript(namespace, script);
    return record === null ? null : runnableScript(record);
  }

  // -------------------------------------------------------------------------
  // Internals.

  /** Runs changes one after another, so a change awaiting R2 never interleaves with another. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private namespaceRow(name: string): NamespaceRow | undefined {
    return this.sql
      .exec<NamespaceRow>("SELECT name, id, created_on, modified_on, created_by FROM namespaces WHERE name = ?", name)
      .toArray()[0];
  }

  private namespaceView(row: NamespaceRow): DispatchNamespace {
    const count = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM scripts WHERE namespace = ?", row.name)
      .one().n;
    return {
      namespace_id: row.id,
      namespace_name: row.name,
      created_on: row.created_on,
      created_by: row.created_by,
      modified_on: row.modified_on,
      modified_by: row.created_by,
      script_count: count,
      trusted_workers: false,
    };
  }

  private tagsOf(namespace: string, script: string): string[] {
    return this.sql
      .exec<{ tag: string }>(
        "SELECT tag FROM script_tags WHERE namespace = ? AND script = ? ORDER BY position, tag",
        namespace,
        script,
      )
      .toArray()
      .map((row) => row.tag);
  }

  private toRecord(row: ScriptRow): ScriptRecord {
    return {
      namespace: row.namespace,
      name: row.name,
      tag: row.tag,
      etag: row.etag,
      created_on: row.created_on,
      modified_on: row.modified_on,
      migration_tag: row.migration_tag,
      version: JSON.parse(row.version) as ScriptVersion,
      settings: JSON.parse(row.settings) as ScriptSettingsRecord,
      tags: this.tagsOf(row.namespace, row.name),
    };
  }

  private readScript(namespace: string, script: string): ScriptRecord | null {
    const row = this.sql
      .exec<ScriptRow>("SELECT * FROM scripts WHERE namespace = ? AND name = ?", namespace, script)
      .toArray()[0];
    return row === undefined ? null : this.toRecord(row);
  }

  /** For just after a commit, when the script is known to exist. */
  private requireScript(namespace: string, script: string): ScriptRecord {
    const record = this.readScript(namespace, script);
    if (record === null) throw new Error("script vanished right after its commit");
    return record;
  }

  private findScript(namespace: string, script: string): WorkersResult<ScriptRecord> {
    if (this.namespaceRow(namespace) === undefined) return failure(namespaceNotFound(namespace));
    const record = this.readScript(namespace, script);
    return record === null ? failure(scriptNotFound()) : success(record);
  }

  private scriptRecords(namespace: string): ScriptRecord[] {
    return this.sql
      .exec<ScriptRow>("SELECT * FROM scripts WHERE namespace = ? ORDER BY name", namespace)
      .toArray()
      .map((row) => this.toRecord(row));
  }

  private deleteScriptRows(namespace: string, script: string): void {
    this.sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ?", namespace, script);
    this.sql.exec("DELETE FROM scripts WHERE namespace = ? AND name = ?", namespace, script);
  }

  private replaceTags(namespace: string, script: string, tags: string[]): void {
    this.sql.exec("DELETE FROM script_tags WHERE namespace = ? AND script = ?", namespace, script);
    [...new Set(tags)].forEach((tag, position) => {
      this.sql.exec("INSERT INTO script_tags VALUES (?, ?, ?, ?)", namespace, script, tag, position);
    });
  }

  /** The refusal for a binding to something this account does not have, if any. */
  private async checkReferences(accountId: string, bindings: StoredBinding[]): Promise<WorkersError | undefined> {
    const malformed = malformedReference(bindings) ?? unrunnableBinding(bindings, runnableBindingTypes);
    if (malformed !== undefined) return malformed;
    const refs = resourceRefs(bindings);
    if (refs.kvNamespaceIds.length + refs.r2BucketNames.length + refs.d1DatabaseIds.length === 0) return undefined;
    const resources = this.env.RESOURCES_STORE.get(this.env.RESOURCES_STORE.idFromName(accountId));
    const [missing] = await resources.findMissing(refs);
    return missing === undefined ? undefined : missingResourceError(missing, bindings);
  }

  /** Production's 10021 refusal if the new version does not start; nothing is stored before this passes. */
  private checkStartup(accountId: string, next: ScriptRecord, uploaded: ModuleUpload[]) {
    const scope: RunScope = { accountId: accountId as AccountId, namespace: next.namespace, script: next.name };
    return checkStartup(this.env, this.ctx.exports as unknown as Exports, scope, runnableScript(next), uploaded);
  }

  /** The account's key for hashing secret values into etags, made on first use. */
  private secretKey(): Promise<CryptoKey> {
    this.etagKey ??= (async () => {
      let stored = this.sql
        .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'etag_key'")
        .toArray()[0]?.value;
      if (stored === undefined) {
        stored = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
        this.sql.exec("INSERT INTO meta VALUES ('etag_key', ?)", stored);
      }
      const raw = new Uint8Array(stored.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
      return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })();
    return this.etagKey;
  }

  /** The record a change produces: a new etag over the new version, and module keys under it. */
  private async nextRecord(
    accountId: string,
    previous: ScriptRecord | null,
    id: { namespace: string; script: string },
    draft: VersionDraft,
    settings: ScriptSettingsRecord,
    migrationTag: string | null,
  ): Promise<ScriptRecord> {
    const etag = await computeEtag(
      {
        mainModule: draft.main_module,
        modules: draft.modules.map(({ name, type, sha256 }) => ({ name, type, sha256 })),
        compatibilityDate: draft.compatibility_date,
        compatibilityFlags: draft.compatibility_flags,
        bindings: draft.bindings,
        limits: settings.limits ?? null,
      },
      await this.secretKey(),
    );
    const now = new Date().toISOString();
    return {
      namespace: id.namespace,
      name: id.script,
      tag: previous?.tag ?? newScriptTag(),
      etag,
      created_on: previous?.created_on ?? now,
      modified_on: now,
      migration_tag: migrationTag,
      version: {
        ...draft,
        modules: draft.modules.map((m) => ({
          ...m,
          r2Key: moduleKey(accountId, id.namespace, id.script, etag, m.name),
        })),
      },
      settings,
      tags: previous?.tags ?? [],
    };
  }

  /** A new version that differs from the current one only in its bindings (secrets). */
  private async reviseBindings(accountId: string, previous: ScriptRecord, bindings: StoredBinding[]): Promise<void> {
    const next = await this.nextRecord(
      accountId,
      previous,
      { namespace: previous.namespace, script: previous.name },
      { ...previous.version, bindings },
      previous.settings,
      previous.migration_tag,
    );
    await this.saveVersion(previous, next, undefined, undefined);
  }

  /**
   * Writes the new version's module bodies (the uploaded ones, or the current
   * version's copied), commits the metadata, then deletes the old bodies.
   * `tags`, when given, replace the script's tags in the same commit.
   */
  private async saveVersion(
    previous: ScriptRecord | null,
    next: ScriptRecord,
    uploaded: ModuleUpload[] | undefined,
    tags: string[] | undefined,
  ): Promise<void> {
    const changed = previous?.etag !== next.etag;
    if (changed) await this.writeBodies(next.version, uploaded, previous?.version);
    try {
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(
          "INSERT OR REPLACE INTO scripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          next.namespace,
          next.name,
          next.tag,
          next.etag,
          next.created_on,
          next.modified_on,
          next.migration_tag,
          JSON.stringify(next.version),
          JSON.stringify(next.settings),
        );
        if (tags !== undefined) this.replaceTags(next.namespace, next.name, tags);
      });
    } catch (error) {
      if (changed) await this.deleteBodies([next.version]);
      throw error;
    }
    if (changed && previous !== null) await this.deleteBodies([previous.version]);
  }

  private async writeBodies(
    version: ScriptVersion,
    uploaded: ModuleUpload[] | undefined,
    previous: ScriptVersion | undefined,
  ): Promise<void> {
    try {
      await Promise.all(
        version.modules.map(async (m) => {
          const body = uploaded?.find((u) => u.name === m.name)?.body ?? (await this.previousBody(m.name, previous));
          await this.env.SCRIPT_MODULES.put(m.r2Key, body, { httpMetadata: { contentType: m.type } });
        }),
      );
    } catch (error) {
      await this.deleteBodies([version]);
      throw error;
    }
  }

  private async previousBody(name: string, previous: ScriptVersion | undefined): Promise<ArrayBuffer> {
    const key = previous?.modules.find((m) => m.name === name)?.r2Key;
    const object = key === undefined ? null : await this.env.SCRIPT_MODULES.get(key);
    if (object === null) throw new Error(`module body of '${name}' is missing from SCRIPT_MODULES`);
    return object.arrayBuffer();
  }

  /** Best effort: a body left behind wastes space but breaks nothing, so it must not fail a committed change. */
  private async deleteBodies(versions: ScriptVersion[]): Promise<void> {
    const keys = versions.flatMap((v) => v.modules.map((m) => m.r2Key));
    for (let i = 0; i < keys.length; i += 1000) {
      try {
        await this.env.SCRIPT_MODULES.delete(keys.slice(i, i + 1000));
      } catch (error) {
        console.warn(
          "workers store: could not delete old module bodies:",
          error instanceof Error ? error.name : "error",
        );
      }
    }
  }
}
