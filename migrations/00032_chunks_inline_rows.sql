-- +goose Up
-- A chunk's row stays whole in its page (issue 19). Its 1,124-dimension vector alone (4.5 KB,
-- STORAGE MAIN, migration 00005) is more than the default toast_tuple_target (2 KB), so
-- PostgreSQL's toaster, trying to bring every row under 2 KB, pglz-compressed each row's text
-- and vector and then moved every other value over 24 bytes (the text, the title, the heading
-- path, even the 32-byte text hash) into the TOAST table: several TOAST rows and index entries
-- per chunk, all for nothing, since no two such rows fit a page anyway (each row filled a page
-- of its own, 4.5 KB of vector and 3.5 KB left empty). With the target at the page's limit the
-- row is stored as written, uncompressed, in the page it already took; only a row that would
-- not fit a page is compressed and moved out as before. Searches read a passage's text from
-- its row, without a TOAST lookup.
-- Measured (go run ./cmd/bench -only indexing, 10,000 generated Markdown files, 2 cores shared,
-- load 4-8): PostgreSQL's CPU time in the files phase 29.4-29.8 s -> 20.8-23.4 s (pglz had been
-- 15 % of it, heap_insert with its TOAST rows 27 %); the built-in model's vectors had been
-- compressed to about 1.9 KB, so the table is about twice the size (5,183 SciFact abstracts:
-- 25 MB of rows plus 7.9 MB of TOAST -> 54 MB of rows, 0.2 MB of TOAST), and an exact scan of
-- those 6,631 chunks, no longer decompressing each vector, took 18-20 ms instead of 67-77 ms.
-- Rows written before keep their layout until they are rewritten (ALTER TABLE ... SET applies
-- to later writes).
ALTER TABLE chunks SET (toast_tuple_target = 8160);

-- +goose Down
ALTER TABLE chunks RESET (toast_tuple_target);
