-- GET /v1/rollouts lists rollouts newest first, a page at a time from a cursor (created_at, id).
CREATE INDEX rollouts_by_created ON rollouts (created_at, id);
