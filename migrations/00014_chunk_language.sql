-- +goose Up
-- Per-passage language (issue 18). Each chunk already carries its text-search configuration
-- (ts_config); the indexer now sets it from the language detected for the passage (german for
-- German; Chinese, Japanese and Korean keep the configured one, see below) instead of one
-- configuration for all.
-- language records what was detected (ISO 639-1, '' when nothing was), for display and for
-- re-checking the mapping.
ALTER TABLE chunks ADD COLUMN language text NOT NULL DEFAULT '';

-- PostgreSQL's parser does not cut Chinese, Japanese or Korean into words, so a CJK passage
-- is indexed from a copy with its CJK runs replaced by character bigrams (textseg.CJKBigrams,
-- the same cut the query gets): segmented holds {title, heading, text} so cut, NULL when the
-- chunk has no CJK character (nearly always, so it costs nothing elsewhere). The displayed
-- text stays as written.
ALTER TABLE chunks ADD COLUMN segmented text[];

-- tsv was generated from title, heading and text; it now comes from segmented where there is
-- one. PostgreSQL 15 cannot change a generated column's expression, and dropping and adding
-- the column would rewrite the table and recompute every tsvector, so the expression is
-- dropped (values kept, no rewrite) and a row trigger computes the same value on insert (the
-- indexer's COPY included) and whenever its inputs change.
ALTER TABLE chunks ALTER COLUMN tsv DROP EXPRESSION;

-- +goose StatementBegin
CREATE FUNCTION chunks_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tsv := setweight(to_tsvector(NEW.ts_config, coalesce(NEW.segmented[1], NEW.title)), 'A') ||
               setweight(to_tsvector(NEW.ts_config, coalesce(NEW.segmented[2], NEW.heading)), 'B') ||
               to_tsvector(NEW.ts_config, coalesce(NEW.segmented[3], NEW.text));
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER chunks_tsv_insert BEFORE INSERT ON chunks FOR EACH ROW EXECUTE FUNCTION chunks_tsv();
CREATE TRIGGER chunks_tsv_update BEFORE UPDATE OF title, heading, text, ts_config, segmented ON chunks
    FOR EACH ROW EXECUTE FUNCTION chunks_tsv();

-- The configurations of at least 1% of the chunks: a question is parsed with each of them
-- (one lexeme per configuration and word), so it meets passages in every language the index
-- holds in earnest. Refreshed with the other statistics (source.RefreshStats).
ALTER TABLE corpus_stats ADD COLUMN configs regconfig[] NOT NULL DEFAULT '{}';
UPDATE corpus_stats SET configs = coalesce((SELECT array_agg(cfg ORDER BY cfg) FILTER (WHERE n >= 0.01 * total)
    FROM (SELECT ts_config AS cfg, count(*) AS n, sum(count(*)) OVER () AS total FROM chunks GROUP BY ts_config) g), '{}');

-- +goose Down
ALTER TABLE corpus_stats DROP COLUMN configs;
DROP TRIGGER chunks_tsv_update ON chunks;
DROP TRIGGER chunks_tsv_insert ON chunks;
DROP FUNCTION chunks_tsv();
DROP TRIGGER chunks_postings_update ON chunks;
ALTER TABLE chunks DROP COLUMN tsv;
ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(ts_config, title), 'A') ||
    setweight(to_tsvector(ts_config, heading), 'B') ||
    to_tsvector(ts_config, text)) STORED;
ALTER TABLE chunks ALTER COLUMN tsv SET STORAGE MAIN;
CREATE TRIGGER chunks_postings_update AFTER UPDATE ON chunks
    FOR EACH ROW WHEN (OLD.tsv IS DISTINCT FROM NEW.tsv OR OLD.id <> NEW.id) EXECUTE FUNCTION postings_update();
ALTER TABLE chunks DROP COLUMN segmented;
ALTER TABLE chunks DROP COLUMN language;
