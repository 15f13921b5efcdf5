-- Several consoles on one database: who leads, and what the leader sees.
--
-- `leadership` has one row. A replica that takes the advisory lock bumps `epoch`; every
-- history write checks, in its transaction, that the epoch is still its own, so a
-- leader that lost the lock (a stalled process, a cut connection) cannot write after
-- its successor started.
CREATE TABLE leadership (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    epoch   BIGINT NOT NULL,
    leader  TEXT   NOT NULL,
    since   BIGINT NOT NULL
);

-- The leader's inventory as the followers serve it: the model's `Inventory` as JSON
-- (clusters, source statuses, refresh and sweep progress, the last probe of every
-- cluster). `version` grows with every write; followers are told of it by
-- NOTIFY msk_console_view and poll it as a fallback.
CREATE TABLE replica_view (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    version     BIGINT NOT NULL,
    epoch       BIGINT NOT NULL,
    leader      TEXT   NOT NULL,
    written_at  BIGINT NOT NULL,
    body        TEXT   NOT NULL
);
