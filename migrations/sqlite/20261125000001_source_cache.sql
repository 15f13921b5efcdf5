-- The last good answer of every (source, region), so that a restart shows the clusters at
-- once and a failing source keeps its data. `clusters` is the JSON of the model's
-- `Vec<Cluster>`; it is replaced whole on every successful refresh of that region.
CREATE TABLE source_cache (
    source      TEXT NOT NULL,
    region      TEXT NOT NULL,
    account     TEXT,
    fetched_at  TEXT NOT NULL,
    clusters    TEXT NOT NULL,
    PRIMARY KEY (source, region)
) STRICT;
