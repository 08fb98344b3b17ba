-- Versions and deployments of each tenant's script (issue 14). The Cloudflare
-- API keeps a script's versions; the registry keeps what the platform needs to
-- show and deploy them: each version's bundle, its bindings as the control
-- plane set them, why and by whom it was made, and every deployment.

-- The tenant's live deployment: JSON [{id, percentage}], what the API serves
-- now; '[]' before its first bound upload.
ALTER TABLE tenants ADD COLUMN deployment TEXT NOT NULL DEFAULT '[]';

CREATE TABLE tenant_versions (
  tenant_id TEXT NOT NULL,
  -- The API's version id (a UUID).
  id TEXT NOT NULL,
  -- The tenant's count of versions, 1 for its first.
  number INTEGER NOT NULL,
  -- Key of the version's bundle in the SCRIPTS bucket.
  script_key TEXT NOT NULL,
  etag TEXT,
  -- The bindings the control plane gave it, made live again when it is deployed:
  -- JSON {name: text}, JSON [name], JSON {binding: class}.
  vars TEXT NOT NULL,
  secret_names TEXT NOT NULL,
  durable_object_bindings TEXT NOT NULL,
  message TEXT NOT NULL,
  -- api, cli or rollout:<id>.
  created_by TEXT NOT NULL,
  -- The operation that made it (a version upload's next step deploys it).
  operation_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- 1 while a preview route may name it (written for a deployed version, deleted once it leaves).
  preview_routed INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tenant_versions_by_number ON tenant_versions (tenant_id, number);

-- Every deployment the control plane made or read back, oldest first by seq.
-- One per operation at most (an upload deploys its version; a deployment, a
-- rollback or a secret change deploys once), so a retried step records it once.
CREATE TABLE tenant_deployments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  operation_id TEXT NOT NULL UNIQUE,
  -- JSON [{id, percentage}].
  versions TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX tenant_deployments_by_tenant ON tenant_deployments (tenant_id, seq);
