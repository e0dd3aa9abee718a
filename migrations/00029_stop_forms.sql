-- +goose Up
-- Exact forms of English stop words written as keywords (issues 13 and 20). In technical
-- manuals the word a question turns on is often one `english` drops as a stop word: WHERE
-- against HAVING, IS NOT NULL, UNION ALL, ON CONFLICT. An English passage that writes such a
-- word in capitals now also holds, as an '='-prefixed lexeme (as French passages hold their
-- forms, migration 00024), its lower-cased form at each of its positions: `=where`, `=having`.
-- Only those: the forms of every English word beside its stem cost SciFact, NFCorpus, git-doc
-- and the handbook 0.005 to 0.014 (README, Languages), and the forms of every stop word, in any
-- case, added 27 to 40 % to the postings for no measured gain (README, Search quality). A
-- question asks for a stop word's form only where it writes it in capitals too
-- (retrieve.queryTerms, textseg.Keywords). Like all exact forms, they count in no length.

-- +goose StatementBegin
CREATE FUNCTION holds_stop_forms(cfg regconfig) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT cfg = 'english'::regconfig
$$;
-- +goose StatementEnd

-- The '='-prefixed words of plain at the positions where stems hold no lexeme at all (the
-- words the configuration dropped as stop words), of those body writes in capitals (WHERE).
-- +goose StatementBegin
CREATE FUNCTION stop_forms(stems tsvector, plain tsvector, body text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(format('''=%s'':%s', replace(replace(x.lexeme, '\', '\\'), '''', ''''''), x.positions), ' '), '')::tsvector
    FROM (SELECT u.lexeme, string_agg(pos::text, ',' ORDER BY pos) AS positions
          FROM unnest(plain) AS u, unnest(u.positions) AS pos
          WHERE pos NOT IN (SELECT s FROM unnest(stems) AS v, unnest(v.positions) AS s)
            AND upper(u.lexeme) IN (SELECT m[1] FROM regexp_matches(body, '\m([[:upper:]]{2,})\M', 'g') AS m)
          GROUP BY u.lexeme) x
$$;
-- +goose StatementEnd

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

-- English chunks indexed before that write a stop word in capitals get its form now (the
-- triggers rewrite tsv and postings); the term statistics take them in at the next refresh.
-- Only those are written: one SciFact chunk in ten.
UPDATE chunks SET ts_config = ts_config
WHERE holds_stop_forms(ts_config)
  AND EXISTS (SELECT 1 FROM unnest(ARRAY[coalesce(segmented[1], title), coalesce(segmented[2], heading), coalesce(segmented[3], text)]) AS b
              WHERE length(stop_forms(to_tsvector(ts_config, b), to_tsvector('simple', b), b)) > 0);

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
    RETURN stems;
END $$;
-- +goose StatementEnd
UPDATE chunks SET ts_config = ts_config
WHERE holds_stop_forms(ts_config) AND EXISTS (SELECT 1 FROM unnest(tsv) AS u WHERE starts_with(u.lexeme, '='));
DROP FUNCTION stop_forms(tsvector, tsvector, text);
DROP FUNCTION holds_stop_forms(regconfig);
