-- +goose Up
-- Stored document paths are escaped so that a file whose name is not valid UTF-8 can be stored
-- (PostgreSQL refuses invalid UTF-8 in text, which used to abort the whole run) and opened
-- again: every byte of an invalid sequence is written %XX, and '%' itself %25 (see
-- ingest.EscapePath). Paths stored before held only valid UTF-8, so escaping their '%' signs
-- is exactly what the indexer would now store: their documents keep their ids and vectors.
UPDATE documents SET path = replace(path, '%', '%25') WHERE strpos(path, '%') > 0;

-- A btree entry holds at most 2,704 bytes, and a path can be longer (PATH_MAX is 4,096 bytes,
-- and escaping triples an invalid byte): UNIQUE (source_id, path) then refused the document,
-- and even the row recording it as failed, which stopped the run. Uniqueness is kept on a
-- hash of the path instead. MD5 is enough: two paths that collide only merge two rows of one
-- source, whose groups still come from the file whose content is stored, and a download is
-- served only when the file at the stored path hashes to the stored content.
ALTER TABLE documents DROP CONSTRAINT documents_source_id_path_key;
CREATE UNIQUE INDEX documents_source_path ON documents (source_id, md5(path));

-- A source's root is stored as its real path (symlinks resolved) when it is added, and a run
-- refuses a root that no longer resolves there: otherwise a symlink in the root's path,
-- re-pointed after the root was checked against DOCENT_SOURCE_ROOTS, moved the source anywhere.
-- Roots stored before were only lexically cleaned and cannot be resolved here (the folder is
-- on the indexer's machine): the first run after this migration stores the real path of such
-- a root and marks it resolved.
ALTER TABLE sources ADD COLUMN root_resolved boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE sources DROP COLUMN root_resolved;
DROP INDEX documents_source_path;
ALTER TABLE documents ADD CONSTRAINT documents_source_id_path_key UNIQUE (source_id, path);
UPDATE documents SET path = replace(path, '%25', '%') WHERE strpos(path, '%25') > 0;
