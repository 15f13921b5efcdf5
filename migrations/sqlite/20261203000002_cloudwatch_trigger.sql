-- no-transaction
-- A snapshot may now be taken after a CloudWatch sweep (its figures moved a cluster's
-- health). SQLite cannot change a CHECK constraint in place, so `snapshots` is rebuilt
-- the way SQLite's documentation describes ("Making Other Kinds Of Table Schema
-- Changes"): foreign keys off, so dropping the old table does not cascade into
-- `changes`; everything else in one transaction; the keys checked before it commits.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE snapshots_new (
    id                 INTEGER PRIMARY KEY,
    trigger            TEXT    NOT NULL CHECK (trigger IN ('refresh', 'probe', 'cloudwatch')),
    taken_at           INTEGER NOT NULL,
    checked_at         INTEGER NOT NULL,
    checks             INTEGER NOT NULL DEFAULT 1,
    changes            INTEGER NOT NULL,
    clusters           INTEGER NOT NULL,
    brokers            INTEGER NOT NULL,
    monitored_clusters INTEGER NOT NULL,
    covered_clusters   INTEGER NOT NULL,
    monitored_brokers  INTEGER NOT NULL,
    covered_brokers    INTEGER NOT NULL
) STRICT;
INSERT INTO snapshots_new (id, trigger, taken_at, checked_at, checks, changes, clusters,
    brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers)
SELECT id, trigger, taken_at, checked_at, checks, changes, clusters,
    brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers
FROM snapshots;
DROP TABLE snapshots;
ALTER TABLE snapshots_new RENAME TO snapshots;
CREATE INDEX snapshots_taken_at ON snapshots (taken_at);
COMMIT;
PRAGMA foreign_keys = ON;
