-- +goose Up
-- Document-level BM25 (issue 13, item 3): a manual page or a long policy that speaks to the
-- question throughout is better evidence than one passage that happens to hold its words. The
-- fusion scores each candidate's whole document by BM25 too, which needs what the chunk-level
-- statistics lack: how many documents hold each term, each document's length and the average
-- one. Like the chunk statistics they are a snapshot refreshed after each index run
-- (ingest.RefreshStats); a document written since has no length yet and counts as average.
ALTER TABLE term_stats ADD COLUMN doc_df int NOT NULL DEFAULT 0;
ALTER TABLE corpus_stats ADD COLUMN documents bigint NOT NULL DEFAULT 0,
                         ADD COLUMN avg_doc_length float8 NOT NULL DEFAULT 0;

-- A document's length in indexed tokens: the sum of its chunks' (postings.dl), so the
-- document's term frequencies (its chunks' summed) and its length count alike.
CREATE TABLE document_stats (
    document_id bigint PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    length      float8 NOT NULL
);

-- +goose Down
DROP TABLE document_stats;
ALTER TABLE corpus_stats DROP COLUMN avg_doc_length, DROP COLUMN documents;
ALTER TABLE term_stats DROP COLUMN doc_df;
