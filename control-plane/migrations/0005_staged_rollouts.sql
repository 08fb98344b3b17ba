-- Staged rollouts: a canary batch first, a pause, the rest; and a rollback of
-- what the rollout changed. A rollout's row says where it is (the Rollout
-- Durable Object keeps nothing else), its items what happened to each tenant.
--
-- rollouts.phase          canary | fleet | rollback (rows from before: fleet)
-- rollouts.state          running | paused | completed | failed | rolling_back | rolled_back
-- rollouts.canary_total   how many items are canary items
-- rollouts.auto_resume    1: go on by itself when the canary's error rate did not rise
-- rollouts.canary_started_at / canary_done_at
--                         when the first canary deploy was submitted / the last settled:
--                         the observation windows are measured from these
-- rollouts.paused_reason  a PauseReason (platform/tenants-api.ts) while paused
-- rollouts.paused_until   with 'observing': when the observation window ends
-- rollouts.health         JSON CanaryHealthView: the last judgement of the canary's error rate
-- rollouts.refused        the API's message when it refused the script: the rollout stops and fails
ALTER TABLE rollouts ADD COLUMN phase TEXT NOT NULL DEFAULT 'fleet';
ALTER TABLE rollouts ADD COLUMN canary_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN auto_resume INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollouts ADD COLUMN canary_started_at TEXT;
ALTER TABLE rollouts ADD COLUMN canary_done_at TEXT;
ALTER TABLE rollouts ADD COLUMN paused_reason TEXT;
ALTER TABLE rollouts ADD COLUMN paused_until TEXT;
ALTER TABLE rollouts ADD COLUMN health TEXT;
ALTER TABLE rollouts ADD COLUMN refused TEXT;

-- rollout_items.canary               1 for the canary batch
-- rollout_items.previous_version_id  the tenant's live version (its deployment's largest share)
--                                    when the rollout submitted its deploy: what a rollback returns to
-- rollout_items.rollback_state       null until a rollback; then skipped (never submitted: left as
--                                    it is) | pending | submitted | succeeded | failed
-- rollout_items.rollback_operation_id / rollback_error
ALTER TABLE rollout_items ADD COLUMN canary INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollout_items ADD COLUMN previous_version_id TEXT;
ALTER TABLE rollout_items ADD COLUMN rollback_state TEXT;
ALTER TABLE rollout_items ADD COLUMN rollback_operation_id TEXT;
ALTER TABLE rollout_items ADD COLUMN rollback_error TEXT;
CREATE INDEX rollout_items_by_canary ON rollout_items (rollout_id, canary, state);
CREATE INDEX rollout_items_by_rollback ON rollout_items (rollout_id, rollback_state);
