-- +goose Up
-- An English field with no word in capitals skips stop_forms (issue 19). stop_forms adds the
-- forms of stop words a field writes in capitals (migration 00029), and returns nothing for a
-- field without a run of two or more capitals, but it was run, a SQL function planned and
-- executed, on every field of every English chunk, together with a second to_tsvector: 17–22 %
-- of PostgreSQL's CPU time writing 10,000 generated Markdown files. The test is the function's
-- own pattern, so the stored tsvectors are the same. Measured as in 00032 (load 4-11): PostgreSQL's
-- CPU time in the files phase 20.8-23.4 s -> 14.7-16.2 s. Real text writes capitals more often
-- (SciFact: DNA, HIV), so it saves less there.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION field_tsv(cfg regconfig, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    stems tsvector := to_tsvector(cfg, body);
BEGIN
    IF holds_exact_forms(cfg) THEN
        RETURN stems || exact_forms(stems, to_tsvector('simple', body));
    END IF;
    IF holds_stop_forms(cfg) AND body ~ '\m[[:upper:]]{2,}\M' THEN
        RETURN stems || stop_forms(stems, to_tsvector('simple', body), body);
    END IF;
    RETURN stems;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION field_tsv(cfg regconfig, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    stems tsvector := to_tsvector(cfg, body);
BEGIN
    IF holds_exact_forms(cfg) THEN
        RETURN stems || exact_forms(stems, to_tsvector('simple', body));
    END IF;
    IF holds_stop_forms(cfg) THEN
        RETURN stems || stop_forms(stems, to_tsvector('simple', body), body);
    END IF;
    RETURN stems;
END $$;
-- +goose StatementEnd
