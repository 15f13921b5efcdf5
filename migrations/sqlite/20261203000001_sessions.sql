-- Sign-in sessions (--auth oidc), kept on the server so that signing out, or
-- `msk-console sessions revoke USER`, ends them for good: the browser's cookie carries
-- a random id, and only its SHA-256 is stored here.
CREATE TABLE sessions (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_name ON sessions (name);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
