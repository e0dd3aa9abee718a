package retrieve

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// documentBM25 scores the candidates' documents as wholes: Okapi BM25 (the same k1 and b and
// field weights as the chunks') with each document's term frequencies summed over its chunks,
// its length their summed lengths, and the document frequencies, number of documents and
// average length of the last statistics refresh (source.RefreshStats); an exact word form
// weighs exactWeight, as in the chunks' scores. A document written
// since that refresh counts as of average length. It returns nothing when the statistics
// hold no documents yet (a database upgraded but not yet re-indexed).
//
// Only the candidates' documents are scored, so the cost follows the page, not the corpus:
// one index range per document (its chunks) and one postings lookup per chunk and term, or,
// where the terms have fewer postings than blockProbeRatio times the lookups (a long query),
// their postings read whole. Left to itself the planner read them whole for a query of two
// common words too (30 ms of a search at 200,000 passages).
func documentBM25(ctx context.Context, tx pgx.Tx, t terms, cands []candidate) (map[int64]float64, error) {
	if len(t.lexemes) == 0 || len(cands) == 0 {
		return nil, nil
	}
	lexemes := make([]string, len(t.lexemes))
	weights := make([]float64, len(t.lexemes))
	for i, tm := range t.lexemes {
		lexemes[i], weights[i] = tm.lexeme, cmp.Or(tm.weight, 1)
	}
	seen := map[int64]bool{}
	var docs []int64
	for _, c := range cands {
		if !seen[c.doc] {
			seen[c.doc] = true
			docs = append(docs, c.doc)
		}
	}
	var postings int64
	for _, tm := range t.lexemes {
		postings += tm.df
	}
	// The chunks the lookups would visit, as the average document has them.
	lookups := int64(len(docs)*len(lexemes)) * max(t.chunks/max(t.docs, 1), 1)
	match := "JOIN postings p ON p.chunk_id = c.id AND p.lexeme = ANY($2::text[])"
	if lookups*blockProbeRatio < postings {
		// The LIMIT (the pair is the primary key) keeps the lookup from being made a join.
		match = `CROSS JOIN (SELECT DISTINCT unnest($2::text[])) AS q(lexeme)
		       CROSS JOIN LATERAL (SELECT p.lexeme, p.tf, p.tf_heading FROM postings p WHERE p.lexeme = q.lexeme AND p.chunk_id = c.id LIMIT 1) p`
	}
	// Each document's terms are summed in lexeme order (a lexeme asked for twice, as a stem and as
	// a form, by weight), whichever way the postings were read.
	rows, err := tx.Query(ctx, fmt.Sprintf(`
		WITH st AS (SELECT documents::float8 AS n, avg_doc_length AS avgdl FROM corpus_stats WHERE documents > 0),
		w AS (SELECT * FROM unnest($2::text[], $5::float8[]) AS w(lexeme, weight)),
		tf AS (SELECT c.document_id, p.lexeme, sum(%[1]s)::float8 AS tf
		       FROM chunks c %[2]s
		       WHERE c.document_id = ANY($1::bigint[]) GROUP BY 1, 2)
		SELECT tf.document_id, sum(w.weight *
		         ln(1 + (st.n - least(ts.doc_df, st.n) + 0.5) / (least(ts.doc_df, st.n) + 0.5)) *
		         tf.tf * ($3::float8 + 1) / (tf.tf + $3::float8 * (1 - $4::float8 + $4::float8 * coalesce(ds.length, st.avgdl) / st.avgdl))
		         ORDER BY tf.lexeme, w.weight)
		FROM tf CROSS JOIN st
		JOIN term_stats ts ON ts.lexeme = tf.lexeme
		JOIN w ON w.lexeme = tf.lexeme
		LEFT JOIN document_stats ds ON ds.document_id = tf.document_id
		GROUP BY tf.document_id`, weightedTF, match), docs, lexemes, BM25K1, BM25B, weights)
	if err != nil {
		return nil, fmt.Errorf("scoring documents: %w", err)
	}
	out := make(map[int64]float64, len(docs))
	var doc int64
	var score float64
	if _, err := pgx.ForEachRow(rows, []any{&doc, &score}, func() error { out[doc] = score; return nil }); err != nil {
		return nil, fmt.Errorf("scoring documents: %w", err)
	}
	return out, nil
}
