-- A tenant's cron triggers, as set on its script through the Cloudflare API
-- (`PUT …/schedules`, written after the call succeeded): JSON array of cron
-- expressions, in the order given. '[]' for none, and once the script is gone.
ALTER TABLE tenants ADD COLUMN crons TEXT NOT NULL DEFAULT '[]';
