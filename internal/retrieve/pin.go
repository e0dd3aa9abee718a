package retrieve

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// pin puts a passage of each pinned document (Query.Pinned: a curated answer's, for the
// question it answers) first on the page, in the pinned order: the document's best passage on
// the page already, or else its passage nearest the query (its first without an embedding).
// Pinned documents are read with the same access condition and filters as every candidate, so
// a document the reader may not see is never pinned for them. The page keeps its length.
func (s *Searcher) pin(ctx context.Context, tx pgx.Tx, q Query, vec []float32, page []candidate, limit int) ([]candidate, error) {
	var args []any
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	order := "c.id"
	if vec != nil {
		order = "c.embedding <=> " + param(pgvector.NewVector(vec)) + " NULLS LAST, c.id"
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT DISTINCT ON (c.document_id) c.document_id, c.id FROM chunks c
		WHERE c.document_id = ANY(%s::bigint[]) AND %s ORDER BY c.document_id, %s`, param(q.Pinned), accessSQL(q, param), order), args...)
	if err != nil {
		return nil, fmt.Errorf("reading pinned documents: %w", err)
	}
	nearest := map[int64]int64{}
	var doc, chunk int64
	if _, err := pgx.ForEachRow(rows, []any{&doc, &chunk}, func() error { nearest[doc] = chunk; return nil }); err != nil {
		return nil, fmt.Errorf("reading pinned documents: %w", err)
	}
	var out []candidate
	for _, d := range q.Pinned {
		id, ok := nearest[d]
		if !ok || slices.ContainsFunc(out, func(c candidate) bool { return c.doc == d }) {
			continue
		}
		c := candidate{id: id, doc: d}
		if i := slices.IndexFunc(page, func(c candidate) bool { return c.doc == d }); i >= 0 {
			c = page[i]
		}
		c.pinned = true
		out = append(out, c)
	}
	for _, c := range page {
		if len(out) == limit {
			break
		}
		if !slices.ContainsFunc(out, func(p candidate) bool { return p.id == c.id }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// pinnedFirst moves the pinned passages back to the top after reranking, in their order.
func pinnedFirst(results []Result) []Result {
	slices.SortStableFunc(results, func(a, b Result) int {
		switch {
		case a.Pinned == b.Pinned:
			return 0
		case a.Pinned:
			return -1
		}
		return 1
	})
	return results
}
