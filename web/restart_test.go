package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

// TestDatabaseRestart restarts PostgreSQL (a cluster of this test's own) while searches and an
// index run are in flight: meanwhile the server answers 503 with a plain message, it recovers
// by itself, the interrupted run fails cleanly with a database error, and the next run
// completes with one outcome per file.
func TestDatabaseRestart(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.NewCluster(t)
	pool := cluster.Open()

	root := t.TempDir()
	const files = 3000
	docenttest.Notes(t, root, files, func(i int) string {
		return fmt.Sprintf("# Note %d\n\nThe taxi policy covers rides after late client dinners, case %d.\n", i, i)
	})
	src := docenttest.Add(t, pool, "notes", root)
	ix := docenttest.NewIndexer(pool)
	s := &retrieve.Searcher{Pool: pool, Embedder: docenttest.Embedder}
	srv := &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answer.Extractive{}},
		Conversations: answer.Conversations{Pool: pool}, Log: docenttest.Log}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// The index run is stopped under way: the database goes down once it has written files.
	var run sync.WaitGroup
	var runErr error
	started := make(chan struct{})
	var once sync.Once
	ix.Progress = func(p source.Progress) {
		if p.Done >= 200 {
			once.Do(func() { close(started) })
		}
	}
	run.Go(func() { _, runErr = ix.Run(ctx, src) })
	select {
	case <-started:
	case <-time.After(2 * time.Minute):
		t.Fatal("the index run made no progress")
	}
	cluster.Stop()

	for _, path := range []string{"/api/search?q=taxi", "/search?q=taxi", "/?q=taxi"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(body, "database is unavailable") {
			t.Errorf("GET %s with the database down: %d, Retry-After %q, body %.300s; want 503 saying the database is unavailable",
				path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	run.Wait()
	if runErr == nil || !postgres.Unavailable(runErr) {
		t.Errorf("the interrupted index run: want a database error, got %v", runErr)
	}

	cluster.Start()
	if !pgtest.WaitFor(30*time.Second, func() bool {
		resp, err := http.Get(ts.URL + "/api/search?q=taxi")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		t.Fatal("the server did not recover after the database came back")
	}
	ix.Progress = nil
	sum, err := ix.Run(ctx, src)
	if err != nil {
		t.Fatalf("the next index run: %v", err)
	}
	var indexed int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM documents WHERE status = 'indexed'`).Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if indexed != files || sum.Failed != 0 {
		t.Errorf("after the restart: %d of %d files indexed, summary %+v", indexed, files, sum)
	}
	// The interrupted run had dropped the search indexes for its bulk load.
	var indexes int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('chunks_embedding_hnsw', 'postings_impact')`).Scan(&indexes)
	if indexes != 2 {
		t.Errorf("after the next run, %d of the 2 search indexes exist", indexes)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
