package retrieve

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// documentBM25 scores the candidates' documents as wholes: Okapi BM25 (the same k1 and b and
// field weights as the chunks') with each document's term frequencies summed over its chunks,
// its length their summed lengths, and the document frequencies, number of documents and
// average length of the last statistics refresh (source.RefreshStats); each term weighs its
// weight, as in the chunks' scores (a word's form beside its stem exactWeight). A document written
// since that refresh counts as of average length. It returns nothing when the statistics
// hold no documents yet (a database upgraded but not yet re-indexed).
//
// Only the candidates' documents are scored, so the cost follows the page, not the corpus:
// one statement lists their chunks and lengths, a row a document, and the terms' postings in
// those chunks come from pr, which holds the terms the lexical branch read whole, and looks the
// others up (or reads them whole where that is cheaper, as the lexical branch decides). The
// score is summed here as PostgreSQL summed it when it computed it (the terms in lexeme order,
// each operation rounded as float8 arithmetic rounds it, the IDF computed by PostgreSQL in
// queryTerms), so it has not changed in the last bit. In SQL, a 300-word query at 10,000
// passages read some 230,000 postings a tuple each a second time (260 of 420 ms of CPU a
// hybrid search).
func documentBM25(ctx context.Context, pr *postingsReader, cands []candidate) (map[int64]float64, error) {
	t := pr.t
	if len(t.lexemes) == 0 || len(cands) == 0 || t.docs <= 0 {
		return nil, nil
	}
	seen := map[int64]bool{}
	var docs []int64
	for _, c := range cands {
		if !seen[c.doc] {
			seen[c.doc] = true
			docs = append(docs, c.doc)
		}
	}
	// Each document's length (none when written since the refresh) and its chunks: a row per
	// document, so document_stats is looked up once a document (some 120 a search), not once
	// a chunk (some 960) nor merged whole with the chunks, as a join of the chunks was planned.
	rows, err := pr.tx.Query(ctx, `
		SELECT d.i, ds.length, ARRAY(SELECT c.id FROM chunks c WHERE c.document_id = d.id)
		FROM unnest($1::bigint[]) WITH ORDINALITY AS d(id, i) LEFT JOIN document_stats ds ON ds.document_id = d.id`, docs)
	if err != nil {
		return nil, fmt.Errorf("scoring documents: %w", err)
	}
	docOf := map[int64]int{} // each chunk's document, by its index in docs
	length := make(map[int64]float64, len(docs))
	var ids, chunks []int64
	var i int
	var l *float64
	_, err = pgx.ForEachRow(rows, []any{&i, &l, &chunks}, func() error {
		doc := docs[i-1]
		length[doc] = t.avgDocLen
		if l != nil {
			length[doc] = *l
		}
		for _, id := range chunks {
			docOf[id] = i - 1
		}
		ids = append(ids, chunks...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scoring documents: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// The terms the statistics know, in lexeme order, a lexeme asked for twice (as a stem and
	// as a form) by weight: the order PostgreSQL summed them in.
	var ts []term
	for _, tm := range t.lexemes {
		if tm.hasDocIDF {
			ts = append(ts, tm)
		}
	}
	slices.SortFunc(ts, func(a, b term) int {
		return cmp.Or(strings.Compare(a.lexeme, b.lexeme), cmp.Compare(a.weight, b.weight))
	})
	blocks, err := pr.read(ctx, ts, ids)
	if err != nil {
		return nil, fmt.Errorf("scoring documents: %w", err)
	}
	stale := pr.stale()
	// Each document's weighted term frequency of each term, summed over its chunks (-1: none).
	in := newIDSet(ids)
	tfs := make([][]int64, len(ts))
	for i := range ts {
		tfs[i] = make([]int64, len(docs))
		for d := range tfs[i] {
			tfs[i][d] = -1
		}
		for _, bl := range blocks[i] {
			for j := range bl.len() {
				id, tf, _ := bl.at(j)
				if !in.has(id) || bl.packed && stale != nil && stale[id] {
					continue
				}
				d := docOf[id]
				tfs[i][d] = max(tfs[i][d], 0) + int64(tf)
			}
		}
	}
	// As SQL computed it: weight * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl)),
	// left to right, each operation rounded (the float64 conversions forbid fused operations).
	k1, b, avgdl := float64(BM25K1), float64(BM25B), t.avgDocLen
	k1p1, oneMinusB := k1+1, 1-b
	out := make(map[int64]float64, len(docs))
	for i, tm := range ts {
		weight := cmp.Or(tm.weight, 1)
		for d, doc := range docs {
			n := tfs[i][d]
			if n < 0 {
				continue
			}
			tf := float64(n)
			x := float64(float64(float64(weight*tm.docIDF)*tf)*k1p1) / (tf + float64(k1*(oneMinusB+float64(b*length[doc])/avgdl)))
			out[doc] += x
		}
	}
	return out, nil
}
