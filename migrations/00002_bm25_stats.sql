-- +goose Up
-- BM25 ranking needs what PostgreSQL's ts_rank lacks: how rare each term is (document frequency)
-- and how long each chunk is relative to the average. Term statistics are refreshed after index
-- runs; they may lag a run behind, which shifts weights slightly, never correctness.

-- Words in the chunk's title, heading and text (stop words excluded): BM25's document length.
ALTER TABLE chunks ADD COLUMN words int NOT NULL DEFAULT 0;

-- Keep the tsvector in the row, uncompressed where it fits: lexical scoring reads each
-- candidate's tsvector once per query term, and decompressing or fetching it from TOAST each
-- time made BM25 ten times slower. The embedding (external) and the text leave the row first.
ALTER TABLE chunks ALTER COLUMN tsv SET STORAGE MAIN;

-- Access filtering runs inside the HNSW and full-text scans; an index on groups only tempted the
-- planner to drive searches from it instead.
DROP INDEX chunks_groups_gin;

CREATE TABLE term_stats (
    lexeme text PRIMARY KEY,
    df     int NOT NULL
);

CREATE TABLE corpus_stats (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    chunks       bigint NOT NULL,
    avg_words    float8 NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
CREATE INDEX chunks_groups_gin ON chunks USING gin (groups);
ALTER TABLE chunks ALTER COLUMN tsv SET STORAGE EXTENDED;
DROP TABLE corpus_stats;
DROP TABLE term_stats;
ALTER TABLE chunks DROP COLUMN words;
