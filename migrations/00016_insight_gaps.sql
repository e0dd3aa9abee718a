-- +goose Up
-- Knowledge gaps: questions the documents failed to answer (declined in the query log, or
-- rated 👎), grouped by similarity (internal/insights). A gap is a row whose id never changes:
-- questions join gaps and never move, gaps never merge or split, so status and owner survive
-- any number of new questions.
CREATE TABLE insight_gaps (
    id          bigserial PRIMARY KEY,
    created     timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'resolved')),
    owner       text NOT NULL DEFAULT '',
    -- How it was resolved: a document (source and path), a curated answer (its id, kept as
    -- text without a foreign key so that curated answers stay their own feature), or won't fix.
    resolution  text NOT NULL DEFAULT '' CHECK (resolution IN ('', 'document', 'curated', 'wontfix')),
    resolved_source   text NOT NULL DEFAULT '',
    resolved_document text NOT NULL DEFAULT '',
    resolved_curated  text NOT NULL DEFAULT '',
    -- Who last changed the status and when (the audit log keeps every change).
    changed_by  text NOT NULL DEFAULT '',
    changed_at  timestamptz,
    CHECK ((status = 'resolved') = (resolution <> '')),
    CONSTRAINT assigned_has_owner CHECK (status <> 'assigned' OR owner <> '')
);

-- A question in a gap: a declined query-log entry or a 👎 rating, never both. Each is deleted
-- with what it points to, so the query log's retention holds for gaps too. The vector and the
-- stemmed content words are what it is compared by; model names the vector's embedder, so a
-- change of embedder re-embeds rather than compares vectors of two spaces.
CREATE TABLE insight_gap_questions (
    gap       bigint NOT NULL REFERENCES insight_gaps (id) ON DELETE CASCADE,
    query_log bigint UNIQUE REFERENCES query_log (id) ON DELETE CASCADE,
    feedback  bigint UNIQUE REFERENCES feedback (id) ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    model     text NOT NULL,
    vector    real[] NOT NULL,
    terms     text[] NOT NULL,
    CHECK ((query_log IS NULL) <> (feedback IS NULL))
);
CREATE INDEX insight_gap_questions_gap ON insight_gap_questions (gap, at DESC);
CREATE INDEX insight_gap_questions_at ON insight_gap_questions (at DESC);

-- How far the grouping has read the query log: entries are grouped in id order, once.
CREATE TABLE insight_progress (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    query_log  bigint NOT NULL DEFAULT 0
);
INSERT INTO insight_progress DEFAULT VALUES;

-- +goose Down
DROP TABLE insight_progress;
DROP TABLE insight_gap_questions;
DROP TABLE insight_gaps;
