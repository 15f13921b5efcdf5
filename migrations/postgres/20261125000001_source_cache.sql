-- The last good answer of every (source, region); see migrations/sqlite for the notes.
-- The PostgreSQL schema keeps the SQLite one's names and meanings, with BIGINT for
-- every integer so both read back as 64-bit.
CREATE TABLE source_cache (
    source      TEXT NOT NULL,
    region      TEXT NOT NULL,
    account     TEXT,
    fetched_at  TEXT NOT NULL,
    clusters    TEXT NOT NULL,
    PRIMARY KEY (source, region)
);
