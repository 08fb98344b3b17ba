-- A tenant's Durable Objects, as its live script has them (written after each
-- upload that succeeded, so a retried upload computes its migration from what
-- is live):
--   durable_object_bindings  JSON {binding name: class name}
--   durable_object_classes   JSON array of every class the script has, bound
--                            or kept unbound (a class goes only when deleted)
--   durable_object_tag       the script's migration tag; NULL before its first class
ALTER TABLE tenants ADD COLUMN durable_object_bindings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tenants ADD COLUMN durable_object_classes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tenants ADD COLUMN durable_object_tag TEXT;
