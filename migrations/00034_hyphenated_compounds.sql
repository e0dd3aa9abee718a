-- +goose Up
-- A question's word that no passage holds is also read as the hyphenated compound that spells
-- it (retrieve.queryTerms): "what is the wifi password" against a page titled "Office Wi-Fi",
-- "oncall", "readonly", "coworker" against "on-call", "read-only", "co-worker". PostgreSQL's
-- parser indexes a hyphenated word as its parts and as the whole compound (`wi`, `fi`, `wi-fi`),
-- and the compound's lexeme, its hyphens taken out, is the joined word's own stem (`read-on`
-- and "readonly" `readon`, `co-work` and "coworkers" `cowork`). This index finds a word's
-- compounds in one probe; a leading hyphen (`-1`, an option) makes no compound.
CREATE INDEX term_stats_joined ON term_stats (replace(lexeme, '-', '')) WHERE strpos(lexeme, '-') > 1;

-- +goose Down
DROP INDEX term_stats_joined;
