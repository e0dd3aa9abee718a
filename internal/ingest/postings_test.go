package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/docent-search/docent/internal/source"
)

// TestPostingsFollowChunks checks that the postings table always equals the postings of the
// chunks stored, computed afresh, through every way chunks change: files added, edited and
// deleted by index runs (per-file transactions), and a whole source removed (a cascade).
func TestPostingsFollowChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	same := func(when string) {
		t.Helper()
		var extra, missing, chunks int
		err := b.pool.QueryRow(ctx, `
			WITH want AS (SELECT p.* FROM chunks c, chunk_postings(c.id, c.tsv) AS p)
			SELECT (SELECT count(*) FROM (SELECT * FROM postings EXCEPT SELECT * FROM want) x),
			       (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM postings) x),
			       (SELECT count(*) FROM chunks)`).Scan(&extra, &missing, &chunks)
		if err != nil {
			t.Fatal(err)
		}
		if extra != 0 || missing != 0 {
			t.Errorf("%s: %d postings of no stored chunk, %d postings missing (%d chunks)", when, extra, missing, chunks)
		}
	}
	b.write(t, "guide.md", "# Guide\n\n## Setup\n\nInstall the client and the client tools.\n\n## Use\n\nRun the client daily.\n")
	b.write(t, "hr/leave.md", "# Leave\n\nTwenty-seven days of paid holiday.\n")
	b.write(t, "notes.txt", "Quarterly notes on the quokka budget.\n")
	count := func() (n int) {
		t.Helper()
		if err := b.pool.QueryRow(ctx, `SELECT count(*) FROM postings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b.run(t)
	same("after the first run")
	if count() == 0 {
		t.Fatal("no postings after indexing three files")
	}
	b.write(t, "guide.md", "# Guide\n\n## Setup\n\nInstall the server instead.\n")
	if err := os.Remove(filepath.Join(b.root, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	b.run(t)
	same("after an edit and a deletion")
	if err := source.Remove(ctx, b.pool, b.src.Name); err != nil {
		t.Fatal(err)
	}
	same("after removing the source")
	if n := count(); n != 0 {
		t.Errorf("after removing the only source: %d postings", n)
	}
}
