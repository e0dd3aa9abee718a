package ingest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

func prepared(path, text string) ingest.Prepared {
	return ingest.Prepared{Path: path, Title: path, Type: "markdown", Body: text,
		Chunks: []ingest.Chunk{{Text: text, End: len(text)}}, Vectors: [][]float32{embedder.Local{}.Vector(text)}}
}

// TestLoadLeavesASearchableIndex loads prepared documents into an empty index and checks that
// both search branches, the access rules and replacement by path work afterwards.
func TestLoadLeavesASearchableIndex(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	src, err := source.Add(ctx, pool, source.Source{Name: "docs", Root: t.TempDir(),
		Rules: []source.Rule{{Glob: "hr/**", Groups: []string{"hr"}}}})
	if err != nil {
		t.Fatal(err)
	}
	opt := ingest.LoadOptions{Model: postgres.Model{Name: embedder.LocalModel, Dimension: embedder.LocalDimension}, Batch: 2}
	docs := []ingest.Prepared{
		prepared("parking.md", "Bicycles are parked in the basement garage."),
		prepared("pets.md", "Calm dogs may come to the office on Fridays."),
		prepared("hr/pay.md", "The quokka salary band is reviewed every April."),
	}
	if err := ingest.Load(ctx, pool, src, slices.Values(docs), opt); err != nil {
		t.Fatal(err)
	}
	var indexes int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('chunks_embedding_hnsw', 'postings_impact', 'postings_pkey')`).Scan(&indexes)
	if indexes != 3 {
		t.Errorf("%d of the 3 search indexes exist after the load", indexes)
	}
	// The load dropped the postings' primary key and built it again: it must still be one.
	var pk bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'postings_pkey' AND contype = 'p')`).Scan(&pk); err != nil || !pk {
		t.Errorf("postings has no primary key after the load (%v)", err)
	}
	s := &retrieve.Searcher{Pool: pool, Embedder: embedder.Local{}}
	top := func(q string, mode string, groups ...string) string {
		t.Helper()
		rs, err := s.Search(ctx, retrieve.Query{Text: q, Mode: mode, Groups: groups})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			return ""
		}
		return rs[0].Path
	}
	for _, mode := range []string{"lexical", "vector", "hybrid"} {
		if got := top("where are bicycles parked", mode); got != "parking.md" {
			t.Errorf("%s search: got %q first, want parking.md", mode, got)
		}
	}
	if got := top("quokka salary band", "hybrid"); got == "hr/pay.md" {
		t.Error("a restricted document was found by a reader outside its group")
	}
	if got := top("quokka salary band", "hybrid", "hr"); got != "hr/pay.md" {
		t.Errorf("an hr reader got %q, want hr/pay.md", got)
	}

	// Loading a path again replaces the document; a vector of the wrong size is refused by name.
	if err := ingest.Load(ctx, pool, src, slices.Values([]ingest.Prepared{prepared("pets.md", "Cats stay at home.")}), opt); err != nil {
		t.Fatal(err)
	}
	if got := top("dogs in the office", "lexical"); got == "pets.md" {
		t.Error("the replaced text of pets.md is still found")
	}
	bad := prepared("bad.md", "text")
	bad.Vectors[0] = bad.Vectors[0][:3]
	err = ingest.Load(ctx, pool, src, slices.Values([]ingest.Prepared{bad}), opt)
	if err == nil || !strings.Contains(err.Error(), "bad.md") {
		t.Errorf("a 3-dimensional vector: want an error naming bad.md, got %v", err)
	}
}
