-- +goose Up
-- Postings packed into blocks (issue 19). Reading a common word's postings one index tuple at
-- a time was most of a hybrid search at scale: at 200,000 passages a typical query read tens of
-- thousands of postings through PostgreSQL's executor, each a tuple of its own. A block holds
-- up to 256 of one lexeme's postings (chunk ids ascending, the weighted term frequency and the
-- chunk's length) in arrays: the search reads a block per row and scores it in Go.
--
-- Blocks are a snapshot, rebuilt with the term statistics (source.RefreshStats), of the chunks
-- up to corpus_stats.blocks_upto; the postings table stays the truth, and the search reads from
-- it what the snapshot lacks (chunks written since, see chunks_unpacked). A block keeps the
-- postings of chunks deleted since: the search checks every chunk that could enter its top k
-- against the chunks table (access), so a deleted one is never returned.
CREATE TABLE postings_blocks (
    lexeme    text NOT NULL,
    -- The block's largest chunk id: blocks of one lexeme do not overlap.
    last_id   bigint NOT NULL,
    chunk_ids bigint[] NOT NULL,
    -- (tf + tf_heading): retrieve.weightedTF, the postings_impact index's expression.
    tfs       int[] NOT NULL,
    dls       int[] NOT NULL,
    PRIMARY KEY (lexeme, last_id)
);
-- A block of 256 postings is about 4 KB: kept in the row, uncompressed, not in TOAST.
ALTER TABLE postings_blocks SET (toast_tuple_target = 8160);
ALTER TABLE postings_blocks ALTER COLUMN chunk_ids SET STORAGE MAIN,
                            ALTER COLUMN tfs SET STORAGE MAIN,
                            ALTER COLUMN dls SET STORAGE MAIN;

ALTER TABLE corpus_stats ADD COLUMN blocks_upto bigint NOT NULL DEFAULT 0;

-- Chunks written (or changed in place) since the blocks were built, by the triggers that write
-- postings. The blocks cover every chunk up to blocks_upto that the refresh's snapshot saw;
-- one written by a transaction still open then (ids are drawn before commit, so it may be
-- below blocks_upto) or changed since is listed here, and the search reads its postings from
-- the table instead (skipping its block postings). The refresh empties what its snapshot saw;
-- a deleted chunk stays listed until then (harmless: it has no postings left to read).
--
-- A row per change, not per chunk, and no key: keyed by chunk, a change to a chunk already
-- listed inserted nothing (ON CONFLICT DO NOTHING takes no lock), so a refresh running while
-- that change's transaction was open deleted the listing, packed the chunk as its snapshot saw
-- it (before the change), and once the change committed the search scored the chunk by its old
-- postings until the next refresh. A row of its own per change is one the refresh's snapshot
-- cannot see, so it cannot delete it, and writers never wait on a refresh's row locks. The
-- search reads the chunks listed DISTINCT.
CREATE TABLE chunks_unpacked (
    chunk_id bigint NOT NULL
);
CREATE INDEX chunks_unpacked_chunk_id ON chunks_unpacked (chunk_id);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION postings_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO postings
    SELECT p.* FROM new_chunks c, chunk_postings(c.id, c.tsv) AS p;
    INSERT INTO chunks_unpacked SELECT id FROM new_chunks;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION postings_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM postings p USING unnest(OLD.tsv) AS u WHERE p.lexeme = u.lexeme AND p.chunk_id = OLD.id;
    INSERT INTO postings SELECT * FROM chunk_postings(NEW.id, NEW.tsv);
    INSERT INTO chunks_unpacked VALUES (NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION postings_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO postings
    SELECT p.* FROM new_chunks c, chunk_postings(c.id, c.tsv) AS p;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION postings_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM postings p USING unnest(OLD.tsv) AS u WHERE p.lexeme = u.lexeme AND p.chunk_id = OLD.id;
    INSERT INTO postings SELECT * FROM chunk_postings(NEW.id, NEW.tsv);
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TABLE chunks_unpacked;
ALTER TABLE corpus_stats DROP COLUMN blocks_upto;
DROP TABLE postings_blocks;
