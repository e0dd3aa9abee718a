package retrieve

import (
	"context"
	"maps"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/jackc/pgx/v5"
)

// DocumentScores returns documentBM25 for the documents of every chunk, by path, for tests.
func (s *Searcher) DocumentScores(ctx context.Context, text string) (map[string]float64, error) {
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
		scores, err := documentBM25(ctx, tx, t, cands)
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
	IDF    float64
	Exact  bool
}

// QueryTerms returns the terms a query asks for (stems and exact forms), rarest first.
func (s *Searcher) QueryTerms(ctx context.Context, text string) ([]QueryTerm, error) {
	var out []QueryTerm
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		t, err := queryTerms(ctx, tx, postgres.DefaultTextSearchConfig, text)
		for _, tm := range t.lexemes {
			out = append(out, QueryTerm{tm.lexeme, tm.idf, tm.exact})
		}
		return err
	})
	return out, err
}
