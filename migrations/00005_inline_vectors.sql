-- +goose Up
-- Keep vectors in the row instead of TOAST. pgvector's type defaults to EXTERNAL storage, so a
-- chunk whose row passes 2 KB (a 384-dimensional vector is 1.5 KB) had its vector moved out of
-- line: every distance computed outside the HNSW index (exact scans, the similarity of
-- passages only full-text search found) then read a second table. Measured at 200,000 chunks,
-- an exact scan took 1.4 s with vectors in TOAST and 0.4 s inline (see BENCHMARKS.md). MAIN
-- still moves a value out of line as a last resort, when a row would not fit a page at all.
-- Rows written before this migration keep their layout until they are rewritten.
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE MAIN;

-- +goose Down
ALTER TABLE chunks ALTER COLUMN embedding SET STORAGE EXTERNAL;
