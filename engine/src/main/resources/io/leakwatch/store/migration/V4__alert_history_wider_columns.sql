-- Room for what alerts carry. principal comes from events: LW-017 names the Login-As admin by
-- DelegatedUsername, and a Salesforce username runs to 80 characters (VARCHAR(64) refused such an
-- alert for good, and delivery used to wait on it for ever); a custom rule may name its principal
-- by another field. rule_id comes from the rule pack, where a custom rule's id has no length limit.
-- 255 holds every user name, user or app id with room to spare and keeps both columns indexable
-- (a PostgreSQL index entry must stay under about 2,700 bytes); a longer value is refused for that
-- one alert, which is logged and counted, and delivery goes on (AlertStore, AlertVerticle).
-- org (names up to 63 characters), alert_id and delivery_key (made by Leakwatch: "lw-" and a hash,
-- "#" and a revision) stay as they are; everything else of an alert is in body (TEXT).
-- Standard SQL, for both stores: PostgreSQL widens a VARCHAR in place (no rewrite, indexes kept);
-- H2 (PostgreSQL mode) copies the table with its indexes.
ALTER TABLE alert_history ALTER COLUMN principal SET DATA TYPE VARCHAR(255);
ALTER TABLE alert_history ALTER COLUMN rule_id SET DATA TYPE VARCHAR(255);
