package retrieve_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

// TestIdenticalPassagesTieByPath checks that the same text under two names (a manual page and
// its alias, a file copied into two folders) scores exactly the same in every mode and ranks
// by path, whichever copy was indexed first: chunk ids follow the order of loading, which
// differs between builds of one corpus, so ties broken by them made the man-page sets move by
// 0.005 nDCG@10 between builds; sums of a chunk's terms in an order that varied (PostgreSQL's,
// before they were summed in Go) left such copies a last bit apart, in either order.
func TestIdenticalPassagesTieByPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page := "gzip compresses each named file and replaces it with a compressed file ending in .gz, " +
		"keeping the ownership, modes and timestamps of the original. Use gunzip to restore it.\n"
	write("zebra/gzip.txt", page)
	write("notes/backup.txt", "Backups run nightly; compressed archives keep their timestamps for thirty days.\n")
	write("notes/modes.txt", "File modes and ownership are changed with chmod and chown.\n")
	e := embedder.Local{}
	if err := embedder.Attach(ctx, pool, e); err != nil {
		t.Fatal(err)
	}
	src, err := source.Add(ctx, pool, source.Source{Name: "docs", Root: root})
	if err != nil {
		t.Fatal(err)
	}
	ix := &ingest.Indexer{Embedder: e, Pool: pool}
	if _, err := ix.Run(ctx, src); err != nil {
		t.Fatalf("indexing: %v", err)
	}
	// The copy that sorts first is indexed last, so its passage has the higher id.
	write("alpha/gzip.txt", page)
	if _, err := ix.Run(ctx, src); err != nil {
		t.Fatalf("indexing: %v", err)
	}
	var alpha, zebra int64
	if err := pool.QueryRow(ctx, `SELECT max(c.id) FILTER (WHERE d.path = 'alpha/gzip.txt'), max(c.id) FILTER (WHERE d.path = 'zebra/gzip.txt')
		FROM chunks c JOIN documents d ON d.id = c.document_id`).Scan(&alpha, &zebra); err != nil {
		t.Fatal(err)
	}
	if alpha <= zebra {
		t.Fatalf("alpha/gzip.txt's passage has id %d, zebra/gzip.txt's %d: the test needs the copy that sorts first indexed last", alpha, zebra)
	}
	s := &retrieve.Searcher{Pool: pool, Embedder: e}
	for _, mode := range []string{"hybrid", "lexical", "vector"} {
		var first []retrieve.Result
		for range 3 {
			rs, err := s.Search(ctx, retrieve.Query{Text: "compress a file keeping its modes and timestamps", Mode: mode, NoSnippets: true})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(rs, func(r retrieve.Result) bool { return r.Path == "alpha/gzip.txt" })
			j := slices.IndexFunc(rs, func(r retrieve.Result) bool { return r.Path == "zebra/gzip.txt" })
			if i < 0 || j < 0 {
				t.Fatalf("%s: the copies are not both found: %v", mode, paths(rs))
			}
			if rs[i].Score != rs[j].Score || rs[i].Similarity != rs[j].Similarity || rs[i].Coverage != rs[j].Coverage {
				t.Errorf("%s: identical passages score differently: %v and %v", mode, rs[i], rs[j])
			}
			if j != i+1 {
				t.Errorf("%s: alpha/gzip.txt at %d and zebra/gzip.txt at %d, want alpha's copy just before zebra's: %v", mode, i+1, j+1, paths(rs))
			}
			if first == nil {
				first = rs
			} else if !slices.EqualFunc(first, rs, func(a, b retrieve.Result) bool { return a.ChunkID == b.ChunkID && a.Score == b.Score }) {
				t.Errorf("%s: the same search ranked %v, then %v", mode, paths(first), paths(rs))
			}
		}
	}
}
