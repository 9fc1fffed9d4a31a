-- Alerts a node's spooled sink (webhook, Slack, syslog, Salesforce) took and has not yet delivered or
-- dead-lettered, one row per alert and sink, with the payload the sink sends (an alert holds ids,
-- counts and field names, never a record's values). The ledger marks the alert delivered once the
-- spool has it; this row says it is still only on node's disk, so the node that takes the org over
-- from a lost node can send it. Deleted when the sink finishes the entry: never trimmed by age.
-- Runs on the embedded store too, which never uses it.
CREATE TABLE org_spooled_alert (
  org VARCHAR(64) NOT NULL,
  sink VARCHAR(256) NOT NULL,
  delivery_key VARCHAR(256) NOT NULL,
  node VARCHAR(256) NOT NULL,
  payload TEXT NOT NULL,
  spooled_at BIGINT NOT NULL,
  CONSTRAINT org_spooled_alert_key PRIMARY KEY (org, sink, delivery_key)
);

-- A sink that finishes an entry knows its sink and key, not its org.
CREATE INDEX org_spooled_alert_finished ON org_spooled_alert (sink, delivery_key);
