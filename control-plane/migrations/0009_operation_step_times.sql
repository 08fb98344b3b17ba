-- When each step of an operation first started, for a tenant's operations timeline
-- (GET /v1/tenants/{id}/operations). Null for steps recorded before this column; a step's
-- finish is its updated_at once it no longer runs.
ALTER TABLE operation_steps ADD COLUMN started_at TEXT;
