package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

// TestAdminNarrowsAtOnce: access saved on the admin page narrows what readers see as the
// page returns, while the re-index it queues has not run (the queue here has no workers): a
// reader outside the new groups finds none of the source's documents, attachment included,
// and their pages are 404; readers inside still see them. Widening shows nothing new before
// the run.
func TestAdminNarrowsAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	root := docenttest.Folder(t, map[string]string{
		"public.md": "# Public\n\nThe canteen opens at noon, WOMBATCANTEEN.\n",
		"hr/pay.md": "# Pay\n\nSalaries rise in May, QUOKKASALARY.\n",
		"mail/offer.eml": string(sampledocs.EML("ada@example.org", "bo@example.org", "Offer", "Tue, 3 Mar 2026 10:15:00 +0100",
			"The offer is attached, NUMBATOFFER.", "", sampledocs.File{Name: "terms.txt", Data: []byte("Terms of the offer, BILBYTERMS.\n")})),
	})
	docenttest.Index(t, pool, "docs", root, source.Rule{Glob: "hr/**", Groups: []string{"hr", "finance"}})
	jobs, err := reindex.New(pool, reindex.Config{}, nil, docenttest.Log)
	if err != nil {
		t.Fatal(err)
	}
	srv := &web.Server{Pool: pool, Searcher: &retrieve.Searcher{Pool: pool, Embedder: docenttest.Embedder}, Jobs: jobs,
		Identity: proxied(), Log: docenttest.Log}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	words := map[string]string{"public.md": "wombatcanteen", "hr/pay.md": "quokkasalary", "mail/offer.eml": "numbatoffer", "mail/offer.eml/terms.txt": "bilbyterms"}
	ids := map[string]string{}
	for path := range words {
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM documents WHERE path = $1`, path).Scan(&id); err != nil {
			t.Fatalf("document %s: %v", path, err)
		}
		ids[path] = itoa(id)
	}
	// sees reports whether a reader in groups opens the document at path and finds it by its word.
	sees := func(path, groups string) (page, found bool) {
		t.Helper()
		status, _ := do(t, "GET", ts.URL+"/doc/"+ids[path], "", as("reader", groups))
		if status != http.StatusOK && status != http.StatusNotFound {
			t.Fatalf("/doc/%s (%s) for %s: status %d", ids[path], path, groups, status)
		}
		_, body := do(t, "GET", ts.URL+"/api/search?q="+words[path], "", as("reader", groups))
		return status == http.StatusOK, strings.Contains(body, `"`+path+`"`)
	}
	save := func(groups, rules string) string {
		t.Helper()
		return postFormNotice(t, ts.URL+"/admin/sources/docs", url.Values{"groups": {groups}, "rules": {rules}}, curatedAdmin)
	}
	for path := range words {
		if page, found := sees(path, "finance"); !page || !found {
			t.Fatalf("before the change, finance: page %v, found %v for %s", page, found, path)
		}
	}

	if notice := save("staff", "hr/**=hr"); notice != "Access of docs saved; 4 documents narrowed to it now; re-indexing applies the rest." {
		t.Errorf("notice after narrowing: %q", notice)
	}
	for path := range words {
		if page, found := sees(path, "finance,sales"); page || found {
			t.Errorf("after narrowing to staff (hr/**: hr), finance and sales: page %v, found %v for %s", page, found, path)
		}
		in := "staff"
		if path == "hr/pay.md" {
			in = "hr"
		}
		if page, found := sees(path, in); !page || !found {
			t.Errorf("after narrowing, %s: page %v, found %v for %s", in, page, found, path)
		}
	}

	if notice := save("", "hr/**=hr,sales"); notice != "Access of docs saved; re-indexing applies the rest." {
		t.Errorf("notice after widening: %q", notice)
	}
	for path := range words {
		if page, found := sees(path, "sales"); page || found {
			t.Errorf("after widening, before the run, sales: page %v, found %v for %s", page, found, path)
		}
	}
	// Moved to groups that share none with the old: no reader at all until the run.
	if notice := save("", "hr/**=legal"); !strings.Contains(notice, "1 documents narrowed to it now (1 of them visible to nobody until the re-index") {
		t.Errorf("notice after moving hr/** to legal: %q", notice)
	}
	for _, g := range []string{"hr", "legal"} {
		if page, found := sees("hr/pay.md", g); page || found {
			t.Errorf("moved from hr to legal, before the run, %s: page %v, found %v", g, page, found)
		}
	}
}
