-- Each org's durable state in the shared store, keyed by org, so any node can resume an org exactly
-- where another left it. Written by the org's engine (under its lease when a Fence is given: every
-- write first takes the org_lease row with the node's token FOR SHARE, so a new grant waits for it
-- and a stale token writes nothing). Runs on the embedded store too, which keeps these in files.

-- The checkpoint: every topic's position, replaced as a whole in one transaction.
CREATE TABLE org_checkpoint (
  org VARCHAR(64) NOT NULL,
  topic VARCHAR(256) NOT NULL,
  resume_after VARCHAR(1024),
  resume_event_time BIGINT NOT NULL,
  last_processed VARCHAR(1024),
  last_event_time BIGINT NOT NULL,
  saved_at BIGINT NOT NULL,
  CONSTRAINT org_checkpoint_key PRIMARY KEY (org, topic)
);

-- The delivered-alert ledger: a row is claimed (delivered = false) before the first sink is tried
-- and marked delivered after the last; a claimed row found on resume is delivered again.
CREATE TABLE org_delivered_alert (
  org VARCHAR(64) NOT NULL,
  delivery_key VARCHAR(256) NOT NULL,
  delivered BOOLEAN NOT NULL,
  claimed_at BIGINT NOT NULL,
  delivered_at BIGINT,
  CONSTRAINT org_delivered_alert_key PRIMARY KEY (org, delivery_key)
);

-- The learned state: the rules' durable tables and the positions they are consistent with, one JSON
-- document (the learned-state.json form). slot is 'current', or 'corrupt-<millis>' for a state
-- that could not be read and was set aside for inspection.
CREATE TABLE org_learned_state (
  org VARCHAR(64) NOT NULL,
  slot VARCHAR(64) NOT NULL,
  event_time BIGINT NOT NULL,
  body TEXT NOT NULL,
  saved_at BIGINT NOT NULL,
  CONSTRAINT org_learned_state_key PRIMARY KEY (org, slot)
);
