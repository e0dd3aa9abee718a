-- +goose Up
-- A gap resolved by a curated answer references it by id (issue 15): the id must name an
-- existing answer, and the insights page links to it. resolved_curated keeps a label that
-- outlives the answer: its question when it was chosen. An answer deleted later leaves its gaps
-- resolved, the id cleared and the label kept.
ALTER TABLE insight_gaps ADD COLUMN resolved_curated_id bigint
    CONSTRAINT insight_gaps_curated_exists REFERENCES curated_answers (id) ON DELETE SET NULL;

-- Resolutions written before were free text: one that names an existing answer, by its id
-- ("17", "#17") or by its question word for word (ignoring case and surrounding spaces, when
-- only one answer has it), is linked to it and labelled with its question; any other text is
-- kept as it was, shown as written, so nothing an admin wrote is lost.
UPDATE insight_gaps g SET resolved_curated_id = a.id, resolved_curated = a.question
    FROM curated_answers a
    WHERE g.resolution = 'curated' AND btrim(g.resolved_curated) ~ '^#?[0-9]{1,18}$'
      AND a.id = ltrim(btrim(g.resolved_curated), '#')::bigint;
UPDATE insight_gaps g SET resolved_curated_id = a.id, resolved_curated = a.question
    FROM curated_answers a
    WHERE g.resolution = 'curated' AND g.resolved_curated_id IS NULL
      AND lower(btrim(g.resolved_curated)) = lower(btrim(a.question))
      AND (SELECT count(*) FROM curated_answers b WHERE lower(btrim(b.question)) = lower(btrim(a.question))) = 1;

-- +goose Down
-- The id goes back into the free text where the answer still exists; the label otherwise.
UPDATE insight_gaps SET resolved_curated = resolved_curated_id::text WHERE resolved_curated_id IS NOT NULL;
ALTER TABLE insight_gaps DROP COLUMN resolved_curated_id;
