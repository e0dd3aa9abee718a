-- +goose Up
-- The core schema: sources (folders), documents (files), chunks (passages with their
-- embedding and full-text vector), and the record of which embedding model built the index.

-- pgvector must be installed on the server; CREATE EXTENSION needs superuser or a trusted
-- extension, so a managed database may need an admin to run this once.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE sources (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name <> ''),
    root        text NOT NULL CHECK (root <> ''),
    -- Access groups for the whole source; empty means every signed-in user.
    groups      text[] NOT NULL DEFAULT '{}',
    -- Per-path access rules, first match wins: [{"glob": "hr/**", "groups": ["hr"]}].
    rules       jsonb NOT NULL DEFAULT '[]',
    -- Re-index schedule; NULL means manual only.
    every       interval,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_run_at timestamptz,
    last_run    jsonb
);

CREATE TABLE documents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_id   bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    -- Path relative to the source root, always with forward slashes.
    path        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    type        text NOT NULL DEFAULT '',
    size        bigint NOT NULL DEFAULT 0,
    mtime       timestamptz,
    -- SHA-256 of the file's bytes: a changed mtime with the same hash is not re-parsed.
    hash        bytea,
    groups      text[] NOT NULL DEFAULT '{}',
    -- indexed | skipped | failed: every file seen gets exactly one outcome, with its reason.
    status      text NOT NULL CHECK (status IN ('indexed', 'skipped', 'failed')),
    reason      text NOT NULL DEFAULT '',
    -- The extracted text the chunks' offsets point into, for the document view.
    body        text NOT NULL DEFAULT '',
    indexed_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, path)
);

CREATE TABLE chunks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ordinal     int NOT NULL,
    -- The document's title, copied so full-text search weights it without a join.
    title       text NOT NULL DEFAULT '',
    -- Heading path, e.g. 'Handbook › Travel › Booking'.
    heading     text NOT NULL DEFAULT '',
    anchor      text NOT NULL DEFAULT '',
    page        int NOT NULL DEFAULT 0,
    start_offset int NOT NULL,
    end_offset  int NOT NULL,
    text        text NOT NULL,
    -- Copied from the document so retrieval filters by access inside the index scans.
    groups      text[] NOT NULL DEFAULT '{}',
    -- Hash of what was embedded: an unchanged chunk keeps its vector on re-index.
    text_hash   bytea NOT NULL,
    -- The dimension is fixed by the embedding model, which only the running binaries know, so the
    -- column is typed and its HNSW index built by the application when the model is recorded
    -- (see index_model); the migration cannot know 384 from 768.
    embedding   vector,
    -- Title and heading path are searched with the text, weighted above it; the configuration
    -- comes from the row so that the text-search language is a setting, not a schema change.
    ts_config   regconfig NOT NULL DEFAULT 'english',
    tsv         tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector(ts_config, title), 'A') ||
                    setweight(to_tsvector(ts_config, heading), 'B') ||
                    to_tsvector(ts_config, text)) STORED,
    UNIQUE (document_id, ordinal)
);

CREATE INDEX chunks_tsv_gin ON chunks USING gin (tsv);
CREATE INDEX chunks_groups_gin ON chunks USING gin (groups);
CREATE INDEX documents_status ON documents (source_id, status);

-- The one embedding model the index was built with. A single row: the whole index shares one
-- vector space, and a different model is refused until everything is re-embedded.
CREATE TABLE index_model (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    model      text NOT NULL,
    dimension  int NOT NULL CHECK (dimension > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE index_model;
DROP TABLE chunks;
DROP TABLE documents;
DROP TABLE sources;
