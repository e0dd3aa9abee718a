package retrieve_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/retrieve/bm25ref"
)

// The document-level score the fusion adds is Okapi BM25 over each document as a whole, as a
// reference that reads every chunk's tsvector computes it: a long manual page whose every
// section mentions the query's words, short pages, and a page holding none of them.
func TestDocumentBM25MatchesTheReference(t *testing.T) {
	t.Parallel()
	var manual strings.Builder
	manual.WriteString("# git rebase\n\n")
	for _, s := range []string{"Options", "Interactive mode", "Conflicts", "Examples"} {
		manual.WriteString("## " + s + "\n\nRebase replays commits on top of another branch. " +
			strings.Repeat("Each commit is applied in turn and a conflict stops the rebase. ", 3) + "\n\n")
	}
	files := map[string]string{
		"rebase.md": manual.String(),
		"merge.md":  "# git merge\n\nMerge joins two branches; a conflict stops the merge until it is resolved.\n",
		"log.md":    "# git log\n\nShow the commit history.\n",
		"clone.md":  "# git clone\n\nCopy a repository into a new folder.\n",
	}
	b := setup(t, files)
	ctx := context.Background()
	ix, err := bm25ref.Load(ctx, b.pool, "")
	if err != nil {
		t.Fatal(err)
	}
	params := bm25ref.Params{K1: retrieve.BM25K1, B: retrieve.BM25B, TitleWeight: retrieve.TitleWeight, HeadingWeight: retrieve.HeadingWeight}
	for _, q := range []string{"rebase conflict", "commit history", "resolve a merge conflict on a branch", "clone"} {
		got, err := b.searcher.DocumentScores(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		lexemes, err := bm25ref.Lexemes(ctx, b.pool, postgres.DefaultTextSearchConfig, q)
		if err != nil {
			t.Fatal(err)
		}
		want := ix.Documents(lexemes, params)
		if len(got) != len(want) {
			t.Errorf("%q: scored %v, want %v", q, got, want)
			continue
		}
		for path, w := range want {
			if math.Abs(got[path]-w) > 1e-9 {
				t.Errorf("%q: %s scores %.6f, want %.6f", q, path, got[path], w)
			}
		}
	}
}

// TestDocumentBM25MatchesSQL compares the document score, summed in Go from the postings the
// search reads, with the SQL statement that computed it before, to the last bit: for queries
// of one to 300 words, with the postings read afresh and after the lexical branch (whose whole
// reads it reuses), before and after documents change since the statistics refresh (chunks
// above the packed blocks, a chunk changed in place, chunks deleted).
func TestDocumentBM25MatchesSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPackedFixture(t, 21, 200)
	s, z, exec := f.searcher, f.z, f.exec(t)
	queries := []string{z.vocab[0], z.words(2), z.words(3), z.words(8), z.words(40), z.words(300), z.vocab[5] + " " + z.vocab[900]}
	compare := func(when string) {
		t.Helper()
		for _, q := range queries {
			want, err := s.DocumentScoresSQL(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatalf("%s: %.40q scores no document", when, q)
			}
			for _, how := range []string{"afresh", "after lexical"} {
				got, err := s.DocumentScores(ctx, q)
				if how == "after lexical" {
					got, err = s.DocumentScoresAfterLexical(ctx, q, []string{"hr"}, 10)
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Errorf("%s, %s: %.40q scores %d documents, want %d", when, how, q, len(got), len(want))
				}
				for path, w := range want {
					if got[path] != w {
						t.Errorf("%s, %s: %.40q: %s scores %v, want %v", when, how, q, path, got[path], w)
					}
				}
			}
		}
	}
	compare("after the load")
	z.load(t, ctx, s, f.src, 80, 1) // replaces 80 documents: their chunks are above the blocks
	exec(`UPDATE chunks SET text = $1 WHERE id = (SELECT min(id) FROM chunks)`, z.words(50))
	exec(`DELETE FROM chunks WHERE id IN (SELECT id FROM chunks ORDER BY id OFFSET 300 LIMIT 5)`)
	compare("after changes since the refresh")
}
