-- +goose Up
-- Packed postings as bytes, not arrays (issue 13). A search reads a common word's blocks whole;
-- sent as three arrays, PostgreSQL serialised every element through its own send function and
-- pgx decoded it through its own, about 0.3 µs a posting on each side: for a 300-word query at
-- 10,000 passages (239,000 postings), 38-41 ms of the server's CPU and 70 ms of wall time a
-- search, against 5 ms and 8-10 ms for the same postings as one bytea a block. A block is now
-- 16 bytes a posting, in chunk id order: the chunk id (8 bytes), the weighted term frequency
-- (retrieve.weightedTF) and the chunk's length (4 bytes each), big-endian as int8send and
-- int4send write them. 256 postings make 4 KB: the row keeps them, uncompressed
-- (toast_tuple_target, migration 00026).
ALTER TABLE postings_blocks ADD COLUMN postings bytea;
UPDATE postings_blocks b SET postings = (
    SELECT string_agg(int8send(u.id) || int4send(u.tf) || int4send(u.dl), ''::bytea ORDER BY u.n)
    FROM unnest(b.chunk_ids, b.tfs, b.dls) WITH ORDINALITY AS u(id, tf, dl, n));
ALTER TABLE postings_blocks DROP COLUMN chunk_ids, DROP COLUMN tfs, DROP COLUMN dls,
                            ALTER COLUMN postings SET NOT NULL,
                            ALTER COLUMN postings SET STORAGE EXTERNAL;

-- +goose Down
-- The blocks are a cache of the postings table: going down empties them, and searches read
-- the table (blocks_upto 0) until the next statistics refresh builds them again.
DELETE FROM postings_blocks;
UPDATE corpus_stats SET blocks_upto = 0;
ALTER TABLE postings_blocks DROP COLUMN postings,
                            ADD COLUMN chunk_ids bigint[] NOT NULL,
                            ADD COLUMN tfs int[] NOT NULL,
                            ADD COLUMN dls int[] NOT NULL;
ALTER TABLE postings_blocks ALTER COLUMN chunk_ids SET STORAGE MAIN,
                            ALTER COLUMN tfs SET STORAGE MAIN,
                            ALTER COLUMN dls SET STORAGE MAIN;
