-- +goose Up
-- chunks_unpacked gets a row per change, not per chunk. Keyed by chunk, a change to a chunk
-- already listed inserted nothing (ON CONFLICT DO NOTHING, which takes no lock): a refresh
-- running while that change's transaction was still open deleted the listing, packed the chunk
-- as its snapshot saw it (before the change), and once the change committed the search scored
-- the chunk by its old postings until the next refresh. A row of its own per change is one the
-- refresh's snapshot cannot see, so it cannot delete it; and a writer never waits on a
-- refresh's row locks (a conflicting insert waited for the refresh to end). The search reads
-- the chunks listed DISTINCT.
ALTER TABLE chunks_unpacked DROP CONSTRAINT chunks_unpacked_pkey;
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
    INSERT INTO chunks_unpacked SELECT id FROM new_chunks ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION postings_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM postings p USING unnest(OLD.tsv) AS u WHERE p.lexeme = u.lexeme AND p.chunk_id = OLD.id;
    INSERT INTO postings SELECT * FROM chunk_postings(NEW.id, NEW.tsv);
    INSERT INTO chunks_unpacked VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX chunks_unpacked_chunk_id;
DELETE FROM chunks_unpacked a USING chunks_unpacked b WHERE a.chunk_id = b.chunk_id AND a.ctid > b.ctid;
ALTER TABLE chunks_unpacked ADD PRIMARY KEY (chunk_id);
