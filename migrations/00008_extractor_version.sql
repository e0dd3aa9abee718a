-- +goose Up
-- Which version of Docent's text extraction produced a document. An unchanged file (same size
-- and modification time, or same content hash) is skipped on re-index only when it was also
-- extracted by the current version: when extraction improves (clean paragraphs, page chrome
-- removed), the next run re-reads every file instead of keeping the old text forever. Rows
-- written before this migration were extracted by version 1.
ALTER TABLE documents ADD COLUMN extractor integer NOT NULL DEFAULT 1;

-- +goose Down
ALTER TABLE documents DROP COLUMN extractor;
