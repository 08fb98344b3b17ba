-- A claim on a hostname goes through states, so that the registry tells what
-- is live from what is asked for, and a hostname is released only once its
-- route is gone (another tenant can claim it only then):
--   adding   claimed by a request; its route is not written yet
--   live     its route names the tenant
--   removing a request gave it up; its route may still name the tenant
ALTER TABLE hostnames ADD COLUMN state TEXT NOT NULL DEFAULT 'live';
