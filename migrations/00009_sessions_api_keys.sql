-- +goose Up
-- Sign-in sessions (OIDC mode). The cookie holds a random token; only its SHA-256 is stored,
-- so a copy of the table signs no one in. Groups are the identity provider's at sign-in.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_name text NOT NULL,
    groups text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- Personal API keys. Only the SHA-256 of a key is stored (a key is 256 random bits, so a fast
-- hash is enough); prefix is its first characters, shown in lists to tell keys apart. Groups
-- are the owner's at creation, replaced at each of the owner's sign-ins.
CREATE TABLE api_keys (
    id bigserial PRIMARY KEY,
    user_name text NOT NULL,
    name text NOT NULL,
    hash bytea NOT NULL UNIQUE,
    prefix text NOT NULL,
    groups text[] NOT NULL DEFAULT '{}',
    scope text NOT NULL CHECK (scope IN ('read', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
-- One live key per owner and name, so "revoke NAME --user USER" means one key.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (user_name, name) WHERE revoked_at IS NULL;

-- +goose Down
DROP TABLE api_keys;
DROP TABLE sessions;
