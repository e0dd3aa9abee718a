// Package docenttest is the fixture Docent's tests share, so that each test states what it
// indexes rather than how: files written into a folder, the folder indexed as a source with
// rules by the built-in embedder, a re-index queue, a free port. Every step fails the test on
// error: no fixture half-builds silently. The database comes from pgtest.
package docenttest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/source"
)

// Embedder is what the fixture indexes with: the built-in embedder, which needs no model
// server (its word vectors come from DOCENT_WORD_VECTORS, as in the server).
var Embedder = embedder.Local{}

// Log discards what the code under test logs.
var Log = slog.New(slog.DiscardHandler)

// Write writes files (slash path → content) under root, creating folders as needed.
func Write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Folder writes files into a new temporary folder and returns it.
func Folder(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	Write(t, root, files)
	return root
}

// Notes writes n small Markdown notes, n0000.md and on, each the result of text(i), into root.
func Notes(t testing.TB, root string, n int, text func(i int) string) {
	t.Helper()
	files := make(map[string]string, n)
	for i := range n {
		files[fmt.Sprintf("n%04d.md", i)] = text(i)
	}
	Write(t, root, files)
}

// Add adds root as source name with rules, not yet indexed.
func Add(t testing.TB, pool *pgxpool.Pool, name, root string, rules ...source.Rule) source.Source {
	t.Helper()
	src, err := source.Add(context.Background(), pool, source.Source{Name: name, Root: root, Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Index adds root as source name with rules and indexes it with Embedder, which the run
// attaches to the index; it returns the source.
func Index(t testing.TB, pool *pgxpool.Pool, name, root string, rules ...source.Rule) source.Source {
	t.Helper()
	src := Add(t, pool, name, root, rules...)
	if _, err := NewIndexer(pool).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return src
}

// NewIndexer is an indexer of pool's sources with Embedder.
func NewIndexer(pool *pgxpool.Pool) *ingest.Indexer {
	return &ingest.Indexer{Pool: pool, Embedder: Embedder, Log: Log}
}

// Queue starts a re-index queue on pool with cfg, indexing with Embedder; it stops when the
// test ends.
func Queue(t testing.TB, pool *pgxpool.Pool, cfg reindex.Config) *reindex.Queue {
	t.Helper()
	q, err := reindex.New(pool, cfg, NewIndexer(pool).RunReporting, Log)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q
}

// FreeAddr returns a loopback address no one listens on, for a server the test starts.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
