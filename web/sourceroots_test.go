package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/web"
)

// TestBrowserAddedSourceStaysUnderTheRoots: a folder added from the browser is stored as the
// real path the DOCENT_SOURCE_ROOTS check approved, not as its lexically cleaned spelling:
// ROOT/deep/../../outside, with ROOT/deep a link to ROOT/benign/a/b, is ROOT/benign/outside.
func TestBrowserAddedSourceStaysUnderTheRoots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"roots/benign/a/b", "roots/benign/outside", "outside"} {
		os.MkdirAll(filepath.Join(base, d), 0o755)
	}
	os.WriteFile(filepath.Join(base, "outside/etc.md"), []byte("# Etc\n\nOUTSIDE the roots\n"), 0o644)
	if err := os.Symlink(filepath.Join(base, "roots/benign/a/b"), filepath.Join(base, "roots/deep")); err != nil {
		t.Fatal(err)
	}
	e := embedder.Local{}
	if err := embedder.Attach(ctx, pool, e); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	jobs := startQueue(t, pool, func() *ingest.Indexer { return &ingest.Indexer{Pool: pool, Embedder: e, Log: log} })
	srv := &web.Server{Pool: pool, Jobs: jobs, Log: log, SourceRoots: []string{filepath.Join(base, "roots")}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	form := url.Values{"name": {"tricky"}, "path": {filepath.Join(base, "roots/deep") + "/../../outside"}}
	resp, err := client.PostForm(ts.URL+"/admin/sources", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "error") {
		t.Fatalf("adding the source was refused: %s", loc)
	}
	var root string
	if err := pool.QueryRow(ctx, `SELECT root FROM sources WHERE name = 'tricky'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(base, "roots/benign/outside"); root != want {
		t.Errorf("stored root %s, want the real path %s that the roots check approved", root, want)
	}
}
