package retrieve_test

import (
	"context"
	"math"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// TestQueriesWithoutWordsScoreNoNaN searches for text with no word in it: the query embeds to
// the zero vector, whose cosine distance is NaN, and a NaN score once sorted first and made the
// JSON API fail after its 200 had gone out. Every mode must return finite scores or nothing.
func TestQueriesWithoutWordsScoreNoNaN(t *testing.T) {
	t.Parallel()
	b := setup(t, corpus)
	for _, text := range []string{"'", "?!", "--", "'' \" ''"} {
		for _, mode := range []string{"hybrid", "vector", "lexical"} {
			rs, err := b.searcher.Search(context.Background(), retrieve.Query{Text: text, Mode: mode, Limit: 50})
			if err != nil {
				t.Fatalf("%q (%s): %v", text, mode, err)
			}
			for _, r := range rs {
				if math.IsNaN(r.Score) || math.IsNaN(r.Similarity) || math.IsNaN(r.Coverage) {
					t.Errorf("%q (%s): %s scores %v, similarity %v, coverage %v", text, mode, r.Path, r.Score, r.Similarity, r.Coverage)
				}
			}
		}
	}
}
