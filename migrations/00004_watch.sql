-- +goose Up
-- Sources whose folder is watched: a change queues a re-index within seconds, which re-reads
-- only what changed.
ALTER TABLE sources ADD COLUMN watch boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE sources DROP COLUMN watch;
