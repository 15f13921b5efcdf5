-- Snapshot history. A snapshot is written only when a refresh or an exporter sweep
-- changed something; a check that changed nothing moves the latest snapshot's
-- `checked_at` and `checks` instead. So storage grows with changes, not with time.
-- Times are Unix seconds (UTC).
CREATE TABLE snapshots (
    id                 INTEGER PRIMARY KEY,
    trigger            TEXT    NOT NULL CHECK (trigger IN ('refresh', 'probe')),
    taken_at           INTEGER NOT NULL,
    -- The last check that found this snapshot's state unchanged.
    checked_at         INTEGER NOT NULL,
    checks             INTEGER NOT NULL DEFAULT 1,
    -- How many `changes` rows belong to it: a snapshot is whole when they all exist.
    changes            INTEGER NOT NULL,
    -- The inventory after this snapshot, for the coverage chart.
    clusters           INTEGER NOT NULL,
    brokers            INTEGER NOT NULL,
    monitored_clusters INTEGER NOT NULL,
    covered_clusters   INTEGER NOT NULL,
    monitored_brokers  INTEGER NOT NULL,
    covered_brokers    INTEGER NOT NULL
) STRICT;

CREATE INDEX snapshots_taken_at ON snapshots (taken_at);

-- Distinct states of a cluster (JSON of `app::history::ClusterState`), stored once per
-- content hash: a cluster that flaps between two states keeps two rows.
CREATE TABLE states (
    id          INTEGER PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    hash        TEXT NOT NULL,
    body        TEXT NOT NULL,
    UNIQUE (cluster_id, hash)
) STRICT;

-- One cluster's change in one snapshot. `state_id` NULL: the cluster left the inventory.
-- Name, source and region are copied so the timeline reads without the states.
CREATE TABLE changes (
    id           INTEGER PRIMARY KEY,
    snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    cluster_id   TEXT    NOT NULL,
    cluster_name TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    state_id     INTEGER REFERENCES states (id),
    -- Bit mask of `app::history::ChangeKind`.
    kinds        INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    -- For the per-cluster chart; NULL when not probed.
    brokers      INTEGER NOT NULL,
    jmx_up       INTEGER,
    node_up      INTEGER,
    UNIQUE (cluster_id, snapshot_id)
) STRICT;

CREATE INDEX changes_source ON changes (source, id);
CREATE INDEX changes_cluster_id ON changes (cluster_id, id);
CREATE INDEX changes_snapshot ON changes (snapshot_id);
CREATE INDEX changes_state ON changes (state_id);
