-- +goose Up
-- Each answer of a conversation is kept (the last few, as the questions are) with its 1-based
-- turn, so that feedback can name it and store exactly what the reader saw.
ALTER TABLE conversations ADD COLUMN turns int NOT NULL DEFAULT 0;
UPDATE conversations SET turns = cardinality(questions);
CREATE TABLE conversation_answers (
    conversation text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    turn         int NOT NULL,
    question     text NOT NULL,
    response     jsonb NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation, turn)
);

-- Feedback on one answer: a copy of the answer (question, text, citations with scores, mode,
-- model), so it outlives the conversation. A reader's later rating of the same answer replaces
-- the earlier one.
CREATE TABLE feedback (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    owner        text NOT NULL,
    conversation text NOT NULL,
    turn         int NOT NULL,
    rating       text NOT NULL CHECK (rating IN ('up', 'down')),
    reason       text NOT NULL DEFAULT '' CHECK (reason IN ('', 'wrong', 'outdated', 'incomplete', 'irrelevant', 'other')),
    comment      text NOT NULL DEFAULT '',
    question     text NOT NULL,
    answer       text NOT NULL,
    found        boolean NOT NULL,
    citations    jsonb NOT NULL,
    mode         text NOT NULL,
    model        text NOT NULL,
    UNIQUE (conversation, turn)
);
CREATE INDEX feedback_at ON feedback (at DESC);

-- Every question asked, kept DOCENT_QUERY_LOG_DAYS. asker is a keyed pseudonym, the name, or
-- empty, as DOCENT_QUERY_LOG_USERS says.
CREATE TABLE query_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    asker      text NOT NULL DEFAULT '',
    channel    text NOT NULL,
    question   text NOT NULL,
    outcome    text NOT NULL CHECK (outcome IN ('answered', 'declined', 'error')),
    latency_ms int NOT NULL,
    documents  jsonb NOT NULL DEFAULT '[]',
    mode       text NOT NULL DEFAULT '',
    model      text NOT NULL DEFAULT ''
);
CREATE INDEX query_log_at ON query_log (at);

-- Secrets the servers share, made on first use: the query log's pseudonym key.
CREATE TABLE server_secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);

-- +goose Down
DROP TABLE server_secrets;
DROP TABLE query_log;
DROP TABLE feedback;
DROP TABLE conversation_answers;
ALTER TABLE conversations DROP COLUMN turns;
