-- +goose Up
-- Exact word forms beside the stems of French passages (issue 18). Snowball's French stemmer
-- conflates the infinitive that how-to questions and manual summaries share with every other
-- form of the verb ("compter" is `compt`, in 183 passages of the French manual pages, "compte",
-- an account, among them; `english` kept `compter`, in 10), and the words `french` drops as
-- stop words ("qui est connecté") carried signal. A French passage now also holds, as lexemes
-- of their own prefixed with '=', the lower-cased words (as the `simple` configuration reads
-- them) that its stems do not hold as written: `=compter` beside `compt`, `=qui` where
-- `french` dropped "qui"; a word the stemmer leaves alone ("chmod", a CJK bigram) adds nothing.
-- A question asks for its words' exact forms too (retrieve.queryTerms).
--
-- The exact forms are extra evidence, not extra text: they count in no length (postings.dl
-- below; document and corpus lengths in source.RefreshStats), and the stems' document
-- frequencies are those of the stems alone. Counted as text, they had moved the average
-- passage length of the manual pages from 224 to 376 tokens.
--
-- Why French only: measured on every dev set (README, Languages), exact forms beside German
-- stems cost German hybrid nDCG@10 0.005 to 0.05 at every weight tried (0.25 to 1, with and
-- without stop words), and beside English stems they cost SciFact, NFCorpus, git-doc and
-- handbook-eval 0.005 to 0.014. Other Snowball languages have no dev set: none gets them.

-- Whether passages of a configuration hold exact forms. A question asks for them only where
-- the index parses questions with such a configuration: in an English index the exact forms
-- of the few passages detected as French would be rare terms that lift exactly those
-- passages.
-- +goose StatementBegin
CREATE FUNCTION holds_exact_forms(cfg regconfig) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT cfg = 'french'::regconfig
$$;
-- +goose StatementEnd

-- The '='-prefixed words of plain (a field under the simple configuration) not held at the
-- same position by stems (the same field under the passage's configuration: one parser, so
-- the positions agree).
-- +goose StatementBegin
CREATE FUNCTION exact_forms(stems tsvector, plain tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(format('''=%s'':%s', replace(replace(x.lexeme, '\', '\\'), '''', ''''''), x.positions), ' '), '')::tsvector
    FROM (SELECT lexeme, string_agg(pos::text, ',' ORDER BY pos) AS positions
          FROM (SELECT u.lexeme, pos FROM unnest(plain) AS u, unnest(u.positions) AS pos
                EXCEPT
                SELECT u.lexeme, pos FROM unnest(stems) AS u, unnest(u.positions) AS pos) f
          GROUP BY lexeme) x
$$;
-- +goose StatementEnd

-- One field of a chunk as indexed: its stems, and where its configuration holds them its
-- exact forms.
-- +goose StatementBegin
CREATE FUNCTION field_tsv(cfg regconfig, body text) RETURNS tsvector
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION chunks_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tsv := setweight(field_tsv(NEW.ts_config, coalesce(NEW.segmented[1], NEW.title)), 'A') ||
               setweight(field_tsv(NEW.ts_config, coalesce(NEW.segmented[2], NEW.heading)), 'B') ||
               field_tsv(NEW.ts_config, coalesce(NEW.segmented[3], NEW.text));
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- A chunk's length (dl) counts its stems only.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION chunk_postings(id bigint, tsv tsvector)
RETURNS TABLE (lexeme text, chunk_id bigint, tf int, tf_title int, tf_heading int, dl int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT u.lexeme, c.id,
           greatest(cardinality(u.positions), 1),
           cardinality(array_positions(u.weights, 'A')),
           cardinality(array_positions(u.weights, 'B')),
           coalesce(sum(greatest(cardinality(u.positions), 1)) FILTER (WHERE NOT starts_with(u.lexeme, '=')) OVER (), 0)::int
    FROM (SELECT id, tsv) AS c, unnest(c.tsv) AS u
$$;
-- +goose StatementEnd

-- French chunks indexed before get their exact forms now (the triggers rewrite tsv and
-- postings); the term statistics take them in at the next refresh (the next index run), and
-- until then a question's exact forms have no document frequency and are not asked for.
UPDATE chunks SET ts_config = ts_config WHERE holds_exact_forms(ts_config);

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION chunk_postings(id bigint, tsv tsvector)
RETURNS TABLE (lexeme text, chunk_id bigint, tf int, tf_title int, tf_heading int, dl int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT u.lexeme, c.id,
           greatest(cardinality(u.positions), 1),
           cardinality(array_positions(u.weights, 'A')),
           cardinality(array_positions(u.weights, 'B')),
           (sum(greatest(cardinality(u.positions), 1)) OVER ())::int
    FROM (SELECT id, tsv) AS c, unnest(c.tsv) AS u
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION chunks_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tsv := setweight(to_tsvector(NEW.ts_config, coalesce(NEW.segmented[1], NEW.title)), 'A') ||
               setweight(to_tsvector(NEW.ts_config, coalesce(NEW.segmented[2], NEW.heading)), 'B') ||
               to_tsvector(NEW.ts_config, coalesce(NEW.segmented[3], NEW.text));
    RETURN NEW;
END $$;
-- +goose StatementEnd
UPDATE chunks SET ts_config = ts_config WHERE holds_exact_forms(ts_config);
DROP FUNCTION field_tsv(regconfig, text);
DROP FUNCTION exact_forms(tsvector, tsvector);
DROP FUNCTION holds_exact_forms(regconfig);
