-- +goose Up
-- Curated answers: an admin's answer to a question pattern, shown above the generated answer
-- to readers of its groups (none: every reader, as for documents; see internal/access). The
-- pattern's normalised text and its embedding are kept for matching; the embedding is
-- recomputed when the model that made it (model) is no longer the server's. Pinned documents
-- are named by source and path, since a re-indexed document may get a new id.
CREATE TABLE curated_answers (
    id         bigserial PRIMARY KEY,
    question   text NOT NULL,
    normalised text NOT NULL,
    answer     text NOT NULL,
    groups     text[] NOT NULL DEFAULT '{}',
    owner      text NOT NULL,
    review_by  date NOT NULL,
    pinned     jsonb NOT NULL DEFAULT '[]',
    embedding  real[] NOT NULL DEFAULT '{}',
    model      text NOT NULL DEFAULT '',
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX curated_answers_normalised ON curated_answers (normalised);

-- A conversation's title is its first question, kept when the question itself is no longer
-- (only the last few are), for the reader's list of their conversations.
ALTER TABLE conversations ADD COLUMN title text NOT NULL DEFAULT '';
UPDATE conversations SET title = coalesce(questions[1], '');
CREATE INDEX conversations_owner ON conversations (owner, updated_at DESC);

-- A shared answer: a copy of one answer of a conversation, opened by its random id. It is
-- re-checked against the viewer's groups whenever it is shown, and goes with its conversation.
CREATE TABLE shared_answers (
    id           text PRIMARY KEY,
    conversation text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    turn         int NOT NULL,
    owner        text NOT NULL,
    question     text NOT NULL,
    response     jsonb NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation, turn)
);

-- +goose Down
DROP TABLE shared_answers;
DROP INDEX conversations_owner;
ALTER TABLE conversations DROP COLUMN title;
DROP TABLE curated_answers;
