-- The control plane's registry: what exists for each tenant, and the
-- operations (with their steps) that got it there. Times are ISO 8601 UTC.

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  plan TEXT NOT NULL,
  state TEXT NOT NULL,
  -- HMAC of the request that created the tenant: a replay of the same request
  -- is recognised without keeping the request (its secrets) around.
  request_digest TEXT NOT NULL,
  -- JSON {kv, r2, d1}: which resources the tenant asked for.
  wanted_resources TEXT NOT NULL,
  kv_namespace_id TEXT,
  r2_bucket_name TEXT,
  d1_database_id TEXT,
  script_name TEXT NOT NULL,
  -- Key of the current script bundle in the SCRIPTS bucket; null until code is given.
  script_key TEXT,
  script_etag TEXT,
  script_uploaded_at TEXT,
  compatibility_date TEXT NOT NULL,
  vars TEXT NOT NULL DEFAULT '{}',
  -- JSON array of names; values are never stored here.
  secret_names TEXT NOT NULL DEFAULT '[]',
  suspended INTEGER NOT NULL DEFAULT 0,
  -- JSON {code, message, at} or null.
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX tenants_by_state ON tenants (state, id);
CREATE INDEX tenants_by_plan ON tenants (plan, id);

-- A hostname belongs to one tenant at most: the primary key enforces it
-- across concurrent requests.
CREATE TABLE hostnames (
  hostname TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL
);
CREATE INDEX hostnames_by_tenant ON hostnames (tenant_id);

CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  -- JSON: what the operation needs (never a secret's value).
  input TEXT NOT NULL,
  -- 'forward', or 'rollback' once a provisioning failed for good and undoes itself.
  phase TEXT NOT NULL DEFAULT 'forward',
  step TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  error TEXT,
  rollout_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX operations_by_tenant ON operations (tenant_id, created_at);
CREATE INDEX operations_by_rollout ON operations (rollout_id);

CREATE TABLE operation_steps (
  operation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (operation_id, name)
);

CREATE TABLE rollouts (
  id TEXT PRIMARY KEY,
  script_key TEXT NOT NULL,
  filter TEXT NOT NULL,
  state TEXT NOT NULL,
  total INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE rollout_items (
  rollout_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  -- pending, submitted, succeeded, failed
  state TEXT NOT NULL,
  operation_id TEXT,
  error TEXT,
  PRIMARY KEY (rollout_id, tenant_id)
);
CREATE INDEX rollout_items_by_state ON rollout_items (rollout_id, state);
