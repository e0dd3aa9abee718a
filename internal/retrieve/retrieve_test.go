package retrieve_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/jackc/pgx/v5/pgxpool"
)

type testBundle struct {
	pool     *pgxpool.Pool
	searcher *retrieve.Searcher
}

// setup indexes files (path → content) into a fresh database as source "docs", with HR files
// restricted to the hr group by a rule.
func setup(t *testing.T, files map[string]string) testBundle {
	t.Helper()
	return setupWith(t, files, embedder.Local{})
}

// setupWith is setup with another embedder.
func setupWith(t *testing.T, files map[string]string, e embedder.Embedder) testBundle {
	t.Helper()
	return setupIndexer(t, files, &ingest.Indexer{Embedder: e})
}

// setupIndexer is setup with the settings of ix (its Pool is set here).
func setupIndexer(t *testing.T, files map[string]string, ix *ingest.Indexer) testBundle {
	t.Helper()
	ctx := context.Background()
	e := ix.Embedder
	pool := pgtest.NewPool(t)
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := embedder.Attach(ctx, pool, e); err != nil {
		t.Fatal(err)
	}
	src, err := source.Add(ctx, pool, source.Source{Name: "docs", Root: root, Rules: []source.Rule{{Glob: "hr/**", Groups: []string{"hr"}}}})
	if err != nil {
		t.Fatal(err)
	}
	ix.Pool = pool
	if _, err := ix.Run(ctx, src); err != nil {
		t.Fatalf("indexing: %v", err)
	}
	return testBundle{pool: pool, searcher: &retrieve.Searcher{Pool: pool, Embedder: e}}
}

var corpus = map[string]string{
	"travel.md":      "# Travel policy\n\n## Taxis\n\nTaxi rides after a late client dinner can be expensed when the dinner ends after 9 pm. Keep the receipt.\n\n## Flights\n\nBook economy class for flights under six hours.\n",
	"it/vpn.md":      "# VPN setup\n\nInstall the WireGuard client and import the profile from the self-service portal.\n",
	"hr/salaries.md": "# Salary bands\n\nThe zanzibar quokka band pays engineers between two ranges reviewed every April.\n",
	"kitchen.txt":    "Kitchen rules\n\nClean the coffee machine every Friday.\n",
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, corpus)

	t.Run("RanksTheAnsweringPassageFirst", func(t *testing.T) {
		t.Parallel()
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "can I expense a taxi after dinner with a client?"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != "travel.md" || rs[0].Heading != "Travel policy › Taxis" {
			t.Fatalf("top result = %+v, want travel.md › Taxis", rs)
		}
		if rs[0].Anchor != "taxis" || !strings.Contains(rs[0].SnippetHTML(), "<mark>") {
			t.Errorf("anchor %q snippet %q: want anchor taxis and a highlighted match", rs[0].Anchor, rs[0].SnippetHTML())
		}
	})

	t.Run("RestrictedDocumentsNeverReachNonMembers", func(t *testing.T) {
		t.Parallel()
		for _, groups := range [][]string{nil, {"engineering"}} {
			rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "zanzibar quokka salary band", Groups: groups, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if strings.Contains(r.Text, "quokka") || r.Path == "hr/salaries.md" {
					t.Fatalf("groups %v saw restricted passage %q", groups, r.Path)
				}
			}
		}
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "zanzibar quokka salary band", Groups: []string{"hr"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || rs[0].Path != "hr/salaries.md" {
			t.Fatalf("hr member: top result %+v, want hr/salaries.md", rs)
		}
	})

	t.Run("HostileQueriesNeverFail", func(t *testing.T) {
		t.Parallel()
		for _, q := range []string{"", "   ", "a & | !b:*", "'); DROP TABLE chunks; --", "😀🎉", "报销出租车",
			strings.Repeat("taxi ", 2000), "\x00\xff\xfe", "<script>alert(1)</script>", "(((", "!!!"} {
			if _, err := b.searcher.Search(ctx, retrieve.Query{Text: q}); err != nil {
				t.Errorf("query %.40q: %v", q, err)
			}
		}
	})

	t.Run("Filters", func(t *testing.T) {
		t.Parallel()
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: "VPN taxi coffee", PathPrefix: "it/"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 {
			t.Fatal("no results under it/")
		}
		for _, r := range rs {
			if !strings.HasPrefix(r.Path, "it/") {
				t.Errorf("path filter it/ returned %s", r.Path)
			}
		}
		rs, err = b.searcher.Search(ctx, retrieve.Query{Text: "coffee machine", Type: "markdown"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Path == "kitchen.txt" {
				t.Errorf("type filter markdown returned the text file")
			}
		}
	})
}

// An excerpt says where it leaves text of its passage out: "…" where words come before or
// after it, and a passage's closing punctuation where it reaches the end. It starts at a
// sentence, not with the last word of the one before.
func TestSnippetMarksWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	long := "Bicycles may be parked in the courtyard racks. The racks are emptied every spring, so label yours. " +
		"Electric bicycles charge in the basement, next to the lockers, on the green sockets only. " +
		"Helmets are not stored overnight. Scooters of any kind stay outside the building, " +
		"and so do trailers, whatever their size, because the fire brigade needs the corridors clear at all times of day and night."
	b := setup(t, map[string]string{
		"bikes.txt": long + "\n",
		"certs.txt": "Certificates are renewed automatically 30 days before they expire.\n",
	})
	ctx := context.Background()
	for query, want := range map[string]string{
		"sockets lockers": "… ", // words before and after the excerpt
		"certificates":    "Certificates are renewed automatically 30 days before they expire.",
	} {
		rs, err := b.searcher.Search(ctx, retrieve.Query{Text: query, Mode: "lexical", Limit: 1})
		if err != nil || len(rs) == 0 {
			t.Fatalf("%q: %v, %v", query, rs, err)
		}
		got := rs[0].Snippet()
		if want == "… " && (!strings.HasPrefix(got, want) || !strings.HasSuffix(got, " …") || !strings.Contains(got, "sockets")) {
			t.Errorf("%q: snippet %q, want … at both ends", query, got)
		}
		if want == "… " && !strings.HasPrefix(got, "… The racks") && !strings.HasPrefix(got, "… Electric") {
			t.Errorf("%q: snippet %q, want it to start at a sentence", query, got)
		}
		if want != "… " && got != want {
			t.Errorf("%q: snippet %q, want the whole passage %q", query, got, want)
		}
	}
}

// TestSearchesRunWithoutJIT: once a corpus is large, PostgreSQL's estimates for the term lookup
// pass jit_above_cost and it compiled that statement for about a second on every search (see
// Searcher.read); a search's statements run with JIT off, whatever the server's setting.
func TestSearchesRunWithoutJIT(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, corpus)
	jit, err := b.searcher.SearchSetting(ctx, "jit")
	if err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Errorf("a search runs with jit = %s, want off", jit)
	}
}
