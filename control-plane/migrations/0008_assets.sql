-- Tenants' static asset files the platform holds (`POST /v1/assets`), by content hash (wrangler's):
-- the file itself is in the SCRIPTS bucket under `assets/<hash>`, written before its row, so a row
-- always names a stored file. Shared by every tenant; never deleted (another tenant may name it).
CREATE TABLE assets (
  hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  stored_at TEXT NOT NULL
) WITHOUT ROWID;
