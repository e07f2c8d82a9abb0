-- The web application: accounts, sessions, API tokens, settings and the audit log.
CREATE TABLE web_users (
    username      VARCHAR PRIMARY KEY,
    role          VARCHAR NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    password_hash VARCHAR NOT NULL, -- scrypt$n$r$p$salt_hex$hash_hex
    created_at    TIMESTAMP NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE
);

-- Sessions and API tokens are stored as the SHA-256 of the secret given to the client.
CREATE TABLE web_sessions (
    token_sha256 VARCHAR PRIMARY KEY,
    username     VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

CREATE TABLE web_tokens (
    token_sha256 VARCHAR PRIMARY KEY,
    username     VARCHAR NOT NULL,
    label        VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- One row per workspace-wide setting (the random secret key of the CSRF tokens).
CREATE TABLE web_settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- Who did what, when: logins, uploads and screenings (with their decisions), judgements.
CREATE TABLE web_audit (
    seq      BIGINT PRIMARY KEY,
    happened_at TIMESTAMP NOT NULL,
    username VARCHAR NOT NULL,
    action   VARCHAR NOT NULL,
    target   VARCHAR NOT NULL,
    detail   VARCHAR NOT NULL -- JSON object
);
