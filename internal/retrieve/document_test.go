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
