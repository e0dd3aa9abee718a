-- +goose Up
-- OCR (issue 18, item 3): a chunk whose text Tesseract recognised from a scanned page or an
-- image is marked, so results, citations and the document view can say the text was
-- recognised from a scan (recognition errs: a reader should know to check the original).
ALTER TABLE chunks ADD COLUMN ocr boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE chunks DROP COLUMN ocr;
