-- +goose Up
-- Questions typed without accents (issue 18): "repertoire", "acces", "telechargement" are how
-- many people type French, and Snowball keeps the accents it does not strip as suffixes
-- ("répertoire" is `répertoir`, "repertoire" `repertoir`, which no passage holds) or stems the
-- word differently without them ("accès" `acces`, "acces" `acce`). A question's word typed
-- without accents is also read as its accented form where French passages hold that form (an
-- exact form, 00024) more often than the index holds the word as typed
-- (retrieve.queryTerms). fold_accents is the key that pairs them, and the index on it finds a
-- word's accented forms in one probe. The ligatures fold to their letters ("oeuvre" is how
-- "œuvre" is typed without a French keyboard).
-- +goose StatementBegin
CREATE FUNCTION fold_accents(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT replace(replace(translate(s, 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ', 'aaaaaaceeeeiiiinooooouuuuyy'), 'œ', 'oe'), 'æ', 'ae')
$$;
-- +goose StatementEnd
CREATE INDEX term_stats_folded ON term_stats (fold_accents(lexeme)) WHERE fold_accents(lexeme) <> lexeme;

-- +goose Down
DROP INDEX term_stats_folded;
DROP FUNCTION fold_accents(text);
