-- Which node processes which org. A node may process an org, and write its checkpoint, ledger and
-- learned state, only while it holds the org's lease. Every new grant increments token (a fencing
-- token): a node that paused past its lease and woke up finds its token stale and its writes refused.
CREATE TABLE org_lease (
  org VARCHAR(64) PRIMARY KEY,
  owner VARCHAR(200) NOT NULL,
  token BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
