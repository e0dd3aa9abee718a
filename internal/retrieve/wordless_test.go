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

// TestPassagesWithoutWordsScoreNoNaN indexes a passage whose every word is a stop word to the
// embedder but not to PostgreSQL ("would", "also", "us"): it embeds to the zero vector, and when
// the lexical branch proposed it, its NaN similarity made every fused score NaN, scrambled the
// ranking and failed the JSON API.
func TestPassagesWithoutWordsScoreNoNaN(t *testing.T) {
	t.Parallel()
	files := map[string]string{"would.md": "Would you? Shall we? Also us, would it.\n"}
	for k, v := range corpus {
		files[k] = v
	}
	b := setup(t, files)
	rs, err := b.searcher.Search(context.Background(), retrieve.Query{Text: "would taxi receipt", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 || rs[0].Path != "travel.md" {
		t.Errorf("the taxi passage should lead: %+v", rs)
	}
	for _, r := range rs {
		if math.IsNaN(r.Score) || math.IsNaN(r.Similarity) || math.IsNaN(r.Margin) {
			t.Errorf("%s scores %v, similarity %v, margin %v", r.Path, r.Score, r.Similarity, r.Margin)
		}
	}
}
