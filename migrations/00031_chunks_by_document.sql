-- +goose Up
-- The document score (retrieve.documentBM25, issue 13) lists each candidate document's chunk
-- ids, some 120 documents and 960 chunks a search. The unique (document_id, ordinal) index
-- finds them but holds no id, so each chunk's heap row was read as well (chunks are wide: two
-- to a page with their vectors); with the ids included the listing reads this index alone, an
-- index-only scan wherever vacuum has marked the pages all-visible, as it does after a load.
-- At 200,000 synthetic passages (BENCHMARKS.md, "The document score's chunk listing"): 1,268
-- shared buffers → 808 a search, 2.8–3.2 → 1.4–1.7 ms, the results identical; 6 MB.
--
-- A plain CREATE INDEX, like the other index migrations: goose runs each migration in a
-- transaction, where CONCURRENTLY is refused, and the SHARE lock it takes holds back writes
-- (an index run) for the build, 0.2–0.3 s at 200,000 passages, but not searches.
CREATE INDEX chunks_document_id_id ON chunks (document_id) INCLUDE (id);

-- +goose Down
DROP INDEX chunks_document_id_id;
