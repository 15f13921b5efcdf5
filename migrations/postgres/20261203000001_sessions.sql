-- Sign-in sessions (only the SHA-256 of each cookie's id); see migrations/sqlite.
CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_name ON sessions (name);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
