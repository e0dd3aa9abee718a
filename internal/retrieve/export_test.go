package retrieve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ExactWeight is exactWeight, for the tests of the forms' weights.
const ExactWeight = exactWeight

// DocumentScores returns documentBM25 for the documents of every chunk, by path, for tests.
func (s *Searcher) DocumentScores(ctx context.Context, text string) (map[string]float64, error) {
	return s.documentScores(ctx, text, func(ctx context.Context, pr *postingsReader, cands []candidate) (map[int64]float64, error) {
		return documentBM25(ctx, pr, cands)
	})
}

// DocumentScoresAfterLexical is DocumentScores with the postings the lexical branch read (for
// its k best of the reader groups) kept for documentBM25, as a hybrid search does.
func (s *Searcher) DocumentScoresAfterLexical(ctx context.Context, text string, groups []string, k int) (map[string]float64, error) {
	return s.documentScores(ctx, text, func(ctx context.Context, pr *postingsReader, cands []candidate) (map[int64]float64, error) {
		if _, err := s.lexical(ctx, pr, Query{Text: text, Groups: groups}, k); err != nil {
			return nil, err
		}
		return documentBM25(ctx, pr, cands)
	})
}

// DocumentScoresSQL is DocumentScores computed by the SQL statement that computed documentBM25
// until 2026-12-01, the reference the Go sum must match to the last bit.
func (s *Searcher) DocumentScoresSQL(ctx context.Context, text string) (map[string]float64, error) {
	return s.documentScores(ctx, text, func(ctx context.Context, pr *postingsReader, cands []candidate) (map[int64]float64, error) {
		lexemes := make([]string, len(pr.t.lexemes))
		weights := make([]float64, len(pr.t.lexemes))
		for i, tm := range pr.t.lexemes {
			lexemes[i], weights[i] = tm.lexeme, cmp.Or(tm.weight, 1)
		}
		var docs []int64
		for _, c := range cands {
			if !slices.Contains(docs, c.doc) {
				docs = append(docs, c.doc)
			}
		}
		rows, err := pr.tx.Query(ctx, fmt.Sprintf(`
			WITH st AS (SELECT documents::float8 AS n, avg_doc_length AS avgdl FROM corpus_stats WHERE documents > 0),
			w AS (SELECT * FROM unnest($2::text[], $5::float8[]) AS w(lexeme, weight)),
			tf AS (SELECT c.document_id, p.lexeme, sum(%[1]s)::float8 AS tf
			       FROM chunks c JOIN postings p ON p.chunk_id = c.id AND p.lexeme = ANY($2::text[])
			       WHERE c.document_id = ANY($1::bigint[]) GROUP BY 1, 2)
			SELECT tf.document_id, sum(w.weight *
			         ln(1 + (st.n - least(ts.doc_df, st.n) + 0.5) / (least(ts.doc_df, st.n) + 0.5)) *
			         tf.tf * ($3::float8 + 1) / (tf.tf + $3::float8 * (1 - $4::float8 + $4::float8 * coalesce(ds.length, st.avgdl) / st.avgdl))
			         ORDER BY tf.lexeme COLLATE "C", w.weight)
			FROM tf CROSS JOIN st
			JOIN term_stats ts ON ts.lexeme = tf.lexeme
			JOIN w ON w.lexeme = tf.lexeme
			LEFT JOIN document_stats ds ON ds.document_id = tf.document_id
			GROUP BY tf.document_id`, weightedTF), docs, lexemes, BM25K1, BM25B, weights)
		if err != nil {
			return nil, err
		}
		out := map[int64]float64{}
		var doc int64
		var score float64
		_, err = pgx.ForEachRow(rows, []any{&doc, &score}, func() error { out[doc] = score; return nil })
		return out, err
	})
}

func (s *Searcher) documentScores(ctx context.Context, text string, score func(context.Context, *postingsReader, []candidate) (map[int64]float64, error)) (map[string]float64, error) {
	out := map[string]float64{}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT c.id, c.document_id FROM chunks c`)
		if err != nil {
			return err
		}
		cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (candidate, error) {
			var c candidate
			return c, row.Scan(&c.id, &c.doc)
		})
		if err != nil {
			return err
		}
		scores, err := score(ctx, newPostingsReader(tx, t), cands)
		if err != nil {
			return err
		}
		paths := map[int64]string{}
		rows, err = tx.Query(ctx, `SELECT id, path FROM documents`)
		if err != nil {
			return err
		}
		var id int64
		var path string
		if _, err := pgx.ForEachRow(rows, []any{&id, &path}, func() error { paths[id] = path; return nil }); err != nil {
			return err
		}
		for doc, score := range maps.All(scores) {
			out[paths[doc]] = score
		}
		return nil
	})
	return out, err
}

// WordIDF returns the weights a query's words get in the embedding (terms.wordIDF), for tests.
func (s *Searcher) WordIDF(ctx context.Context, text string) (map[string]float64, error) {
	var out map[string]float64
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		out = t.wordIDF
		return err
	})
	return out, err
}

// TermIDFs returns each term a query asks for (stems and exact forms) with the IDF it is
// weighed by, and the corpus size and the term's document frequency, for tests.
func (s *Searcher) TermIDFs(ctx context.Context, text string) (idfs map[string]float64, dfs map[string]int64, chunks int64, err error) {
	idfs, dfs = map[string]float64{}, map[string]int64{}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		for _, tm := range t.lexemes {
			idfs[tm.lexeme], dfs[tm.lexeme] = tm.idf, tm.df
		}
		chunks = t.chunks
		return err
	})
	return idfs, dfs, chunks, err
}

// QueryTerm is a term a query asks for, for tests.
type QueryTerm struct {
	Lexeme string
	IDF    float64 // weighted
	Weight float64 // the question's language weight (times exactWeight for a form)
	Exact  bool
}

// QueryTerms returns the terms a query asks for (stems and exact forms), rarest first.
func (s *Searcher) QueryTerms(ctx context.Context, text string) ([]QueryTerm, error) {
	var out []QueryTerm
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		for _, tm := range t.lexemes {
			out = append(out, QueryTerm{tm.lexeme, tm.idf, tm.weight, tm.exact})
		}
		return err
	})
	return out, err
}

// IDFMass returns the IDF mass a passage's Coverage is a share of (terms.idfMass).
func (s *Searcher) IDFMass(ctx context.Context, text string) (mass float64, err error) {
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		mass = t.idfMass
		return err
	})
	return mass, err
}

// SearchSetting returns a PostgreSQL setting as a search's statements see it, for tests.
func (s *Searcher) SearchSetting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.read(ctx, func(_ *pgxpool.Pool, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	})
	return v, err
}
