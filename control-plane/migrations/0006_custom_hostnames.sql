-- A tenant's hostname outside the platform's domain is a Cloudflare for SaaS custom hostname on
-- the platform's zone. Its claim (the hostnames row) records the custom hostname's id once
-- created, the last answer read from the API (JSON, the shape the tenant is shown), when it was
-- last read and how often, when it went live, and why its checks stopped if it never did.
ALTER TABLE hostnames ADD COLUMN custom_hostname_id TEXT;
ALTER TABLE hostnames ADD COLUMN custom_hostname TEXT;
ALTER TABLE hostnames ADD COLUMN checked_at TEXT;
ALTER TABLE hostnames ADD COLUMN check_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hostnames ADD COLUMN live_at TEXT;
ALTER TABLE hostnames ADD COLUMN check_failure TEXT;
