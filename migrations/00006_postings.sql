-- +goose Up
-- Exact BM25 needs each query term's postings (which chunks hold it, how often, how long those
-- chunks are) without reading the chunks themselves: scoring a candidate from its in-row
-- tsvector cost about 20 µs per candidate and term, so the lexical branch used to score only a
-- budget of candidates and silently dropped matches. A postings table, one row per (lexeme,
-- chunk), lets the search read a term's postings from one index range and score every match.
--
-- Only IDF-free numbers are stored: term frequencies and the chunk's length. Document
-- frequencies, the number of chunks and the average length change as documents come and go,
-- so they stay in term_stats/corpus_stats and are applied at query time.
CREATE TABLE postings (
    lexeme     text NOT NULL,
    chunk_id   bigint NOT NULL,
    -- Occurrences in the whole chunk (title, heading path and text), and of those in the title
    -- (tsvector weight A) and the heading path (weight B), so fields can weigh differently at
    -- query time without re-indexing. PostgreSQL keeps at most 256 positions per lexeme in a
    -- tsvector, so tf counts at most 256: far beyond where BM25's saturation stops mattering.
    tf         int NOT NULL,
    tf_title   int NOT NULL,
    tf_heading int NOT NULL,
    -- The chunk's length in indexed tokens (every lexeme's occurrences), BM25's document
    -- length: copied into each posting so scoring never joins chunks.
    dl         int NOT NULL,
    -- The search reads a term's postings by lexeme and looks up single (lexeme, chunk) pairs;
    -- INCLUDE makes both index-only scans.
    PRIMARY KEY (lexeme, chunk_id) INCLUDE (tf, tf_title, tf_heading, dl)
);

-- A query of one word ranks its chunks by (weighted) term frequency and length alone: this index
-- lists them in that order, so even a word found in most chunks is answered from a few index
-- pages (see oneTerm in internal/retrieve). The expression is the term frequency with heading
-- occurrences counted twice, retrieve.HeadingWeight: change both together.
CREATE INDEX postings_impact ON postings (lexeme, (tf + tf_heading) DESC, dl, chunk_id);

-- Full-text search no longer matches tsqueries against chunks (scoring reads postings), so the
-- GIN index only cost writes.
DROP INDEX IF EXISTS chunks_tsv_gin;

-- The postings of one chunk, from its tsvector.
-- +goose StatementBegin
CREATE FUNCTION chunk_postings(id bigint, tsv tsvector)
RETURNS TABLE (lexeme text, chunk_id bigint, tf int, tf_title int, tf_heading int, dl int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT u.lexeme, c.id,
           greatest(cardinality(u.positions), 1),
           cardinality(array_positions(u.weights, 'A')),
           cardinality(array_positions(u.weights, 'B')),
           (sum(greatest(cardinality(u.positions), 1)) OVER ())::int
    FROM (SELECT id, tsv) AS c, unnest(c.tsv) AS u
$$;
-- +goose StatementEnd

-- Postings are written by triggers, in the statement (and so the transaction) that writes the
-- chunks: a replaced document's postings change with it atomically, for the per-file writer
-- and the bulk loader's COPY alike, and no code path can forget them. Statement triggers with
-- transition tables do it in one set-based statement per INSERT/COPY or DELETE (including
-- the cascade when a document or source is deleted).
-- +goose StatementBegin
CREATE FUNCTION postings_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO postings
    SELECT p.* FROM new_chunks c, chunk_postings(c.id, c.tsv) AS p;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Deleting by (lexeme, chunk_id) uses the primary key: no second index on chunk_id to maintain.
-- +goose StatementBegin
CREATE FUNCTION postings_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM postings p USING old_chunks o, unnest(o.tsv) AS u
    WHERE p.lexeme = u.lexeme AND p.chunk_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A chunk whose text changes in place (nothing in Docent does so today: documents are
-- replaced) gets its postings rewritten.
-- +goose StatementBegin
CREATE FUNCTION postings_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM postings p USING unnest(OLD.tsv) AS u WHERE p.lexeme = u.lexeme AND p.chunk_id = OLD.id;
    INSERT INTO postings SELECT * FROM chunk_postings(NEW.id, NEW.tsv);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER chunks_postings_insert AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION postings_insert();
CREATE TRIGGER chunks_postings_delete AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_chunks FOR EACH STATEMENT EXECUTE FUNCTION postings_delete();
CREATE TRIGGER chunks_postings_update AFTER UPDATE ON chunks
    FOR EACH ROW WHEN (OLD.tsv IS DISTINCT FROM NEW.tsv OR OLD.id <> NEW.id) EXECUTE FUNCTION postings_update();

INSERT INTO postings SELECT p.* FROM chunks c, chunk_postings(c.id, c.tsv) AS p;

-- BM25's document length is now the tsvector's token count (as in postings.dl), so a reference
-- BM25 over the same lexemes reproduces the scores exactly; the Go-side word count is dropped.
ALTER TABLE chunks DROP COLUMN words;
ALTER TABLE corpus_stats RENAME COLUMN avg_words TO avg_length;
UPDATE corpus_stats SET chunks = (SELECT count(*) FROM chunks),
    avg_length = coalesce((SELECT sum(tf)::float8 FROM postings), 0) / greatest((SELECT count(*) FROM chunks), 1);

-- +goose Down
CREATE INDEX IF NOT EXISTS chunks_tsv_gin ON chunks USING gin (tsv);
ALTER TABLE corpus_stats RENAME COLUMN avg_length TO avg_words;
ALTER TABLE chunks ADD COLUMN words int NOT NULL DEFAULT 0;
DROP TRIGGER chunks_postings_update ON chunks;
DROP TRIGGER chunks_postings_delete ON chunks;
DROP TRIGGER chunks_postings_insert ON chunks;
DROP FUNCTION postings_update();
DROP FUNCTION postings_delete();
DROP FUNCTION postings_insert();
DROP FUNCTION chunk_postings(bigint, tsvector);
DROP TABLE postings;
