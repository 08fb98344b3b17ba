-- A running rollout's counts on its own row. Each round of the Rollout object (every 500 ms) needs
-- how many of its items are in each state; counting them read every item of the rollout each round
-- (at least N²/5 item rows over a rollout of N tenants). Now each change of an item's state moves
-- these counts in the same D1 batch as the item's write (src/registry/rollout-counts.ts), and a
-- round reads one row.
--
-- rollouts.items_<state>     items whose deploy is pending | submitted | succeeded | failed
-- rollouts.canary_<state>    the same, of the canary batch's items (rollout_items.canary = 1)
-- rollouts.rollback_<state>  items whose rollback is skipped | pending | submitted | succeeded | failed;
--                            an item not marked for a rollback (rollback_state null) is in none
ALTER TABLE rollouts ADD COLUMN items_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN items_submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN items_succeeded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN items_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN canary_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN canary_submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN canary_succeeded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN canary_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN rollback_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN rollback_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN rollback_submitted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN rollback_succeeded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN rollback_failed INTEGER NOT NULL DEFAULT 0;

-- The rollouts made before this migration: counted once, here, from their items.
UPDATE rollouts SET
  items_pending = c.items_pending,
  items_submitted = c.items_submitted,
  items_succeeded = c.items_succeeded,
  items_failed = c.items_failed,
  canary_pending = c.canary_pending,
  canary_submitted = c.canary_submitted,
  canary_succeeded = c.canary_succeeded,
  canary_failed = c.canary_failed,
  rollback_skipped = c.rollback_skipped,
  rollback_pending = c.rollback_pending,
  rollback_submitted = c.rollback_submitted,
  rollback_succeeded = c.rollback_succeeded,
  rollback_failed = c.rollback_failed
FROM (
  SELECT
    rollout_id,
    SUM(state = 'pending') AS items_pending,
    SUM(state = 'submitted') AS items_submitted,
    SUM(state = 'succeeded') AS items_succeeded,
    SUM(state = 'failed') AS items_failed,
    SUM(canary = 1 AND state = 'pending') AS canary_pending,
    SUM(canary = 1 AND state = 'submitted') AS canary_submitted,
    SUM(canary = 1 AND state = 'succeeded') AS canary_succeeded,
    SUM(canary = 1 AND state = 'failed') AS canary_failed,
    SUM(rollback_state IS 'skipped') AS rollback_skipped,
    SUM(rollback_state IS 'pending') AS rollback_pending,
    SUM(rollback_state IS 'submitted') AS rollback_submitted,
    SUM(rollback_state IS 'succeeded') AS rollback_succeeded,
    SUM(rollback_state IS 'failed') AS rollback_failed
  FROM rollout_items
  GROUP BY rollout_id
) AS c
WHERE c.rollout_id = rollouts.id;

-- The next items of a round, the first `limit` pending ones in id order, read from an index in that
-- order rather than found by sorting (or walking past) the rollout's other items: all of them, the
-- canary batch's, and the rollback's (registry/rollouts.ts pendingItems, registry/rollout-rollbacks.ts
-- pendingRollbacks). Each replaces the index it extends (migrations 0001 and 0005).
DROP INDEX rollout_items_by_state;
CREATE INDEX rollout_items_by_state_id ON rollout_items (rollout_id, state, tenant_id);
DROP INDEX rollout_items_by_canary;
CREATE INDEX rollout_items_by_canary_state_id ON rollout_items (rollout_id, canary, state, tenant_id);
DROP INDEX rollout_items_by_rollback;
CREATE INDEX rollout_items_by_rollback_id ON rollout_items (rollout_id, rollback_state, tenant_id);
