-- +goose Up
-- Conversations let a follow-up question build on the earlier ones. Only the questions are
-- kept (answers are recomputed from the documents), and only for their owner.
CREATE TABLE conversations (
    id         text PRIMARY KEY,
    owner      text NOT NULL,
    questions  text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_updated ON conversations (updated_at);

-- Re-index runs (River jobs: the id is River's job id) with their live progress and outcome, so
-- any server can report on a run another one performs.
CREATE TABLE index_jobs (
    id          bigint PRIMARY KEY,
    source      text NOT NULL,
    status      text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    done        int NOT NULL DEFAULT 0,
    total       int NOT NULL DEFAULT 0,
    current     text NOT NULL DEFAULT '',
    summary     jsonb,
    error       text NOT NULL DEFAULT '',
    started_by  text NOT NULL DEFAULT '',
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX index_jobs_source ON index_jobs (source, id DESC);

-- +goose Down
DROP TABLE index_jobs;
DROP TABLE conversations;
