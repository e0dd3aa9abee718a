package retrieve_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/internal/wordvec"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TestSearchesGoToReplicas sets up a streaming replica with pg_basebackup and shows that
// searches are answered there (they keep working with the primary stopped), that writes on the
// primary reach them, and that a replica that is down hands its searches to the primary.
func TestSearchesGoToReplicas(t *testing.T) {
	ctx := context.Background()
	primary := pgtest.NewCluster(t)
	pool := primary.Open()
	src, err := source.Add(ctx, pool, source.Source{Name: "docs", Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	e := embedder.Local{}
	load := func(path, text string) {
		t.Helper()
		doc := ingest.Prepared{Path: path, Title: path, Type: "markdown", Body: text,
			Chunks: []ingest.Chunk{{Text: text, End: len(text)}}, Vectors: [][]float32{e.Vector(text)}}
		err := ingest.Load(ctx, pool, src, slices.Values([]ingest.Prepared{doc}),
			ingest.LoadOptions{Model: postgres.Model{Name: e.Model(), Dimension: embedder.LocalDimension}})
		if err != nil {
			t.Fatal(err)
		}
	}
	load("pets.md", "Dogs may come to the office on Fridays if they are calm.")

	replica := primary.Replica()
	rpool, err := postgres.OpenReplica(ctx, replica.URL("docent"))
	if err != nil {
		t.Fatal(err)
	}
	defer rpool.Close()
	s := &retrieve.Searcher{Pool: pool, Replicas: []*pgxpool.Pool{rpool}, Embedder: e}
	finds := func(query, path string) error {
		rs, err := s.Search(ctx, retrieve.Query{Text: query})
		if err != nil {
			return err
		}
		if len(rs) == 0 || rs[0].Path != path {
			return fmt.Errorf("search %q: want %s first, got %+v", query, path, rs)
		}
		return nil
	}
	if err := finds("dogs in the office", "pets.md"); err != nil {
		t.Fatal(err)
	}

	// A misspelt word is corrected where the search reads, so the replica serves it too.
	v3, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	corrector := &retrieve.Searcher{Pool: pool, Replicas: []*pgxpool.Pool{rpool}, Embedder: v3}

	primary.Stop()
	if err := finds("dogs in the office", "pets.md"); err != nil {
		t.Fatalf("with the primary stopped, the replica should answer: %v", err)
	}
	if got, _, err := corrector.Correct(ctx, "dogs in the offfice", nil); err != nil || got != "dogs in the office" {
		t.Errorf("with the primary stopped: Correct = %q, %v; want the replica to correct it", got, err)
	}
	primary.Start()
	// The pool's idle connections died with the server; pgx pings only those idle for over a
	// second, so a quick restart would hand the load a dead one.
	pool.Reset()
	load("bikes.md", "Bicycles are parked in the basement garage next to the lockers.")
	var last error
	if !pgtest.WaitFor(30*time.Second, func() bool { last = finds("where to park a bicycle", "bikes.md"); return last == nil }) {
		t.Fatalf("a document written on the primary never reached the replica: %v", last)
	}

	replica.Stop()
	if err := finds("where to park a bicycle", "bikes.md"); err != nil {
		t.Fatalf("with the replica down, the primary should answer: %v", err)
	}
}
