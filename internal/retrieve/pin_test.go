package retrieve_test

import (
	"context"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// TestPinned: a pinned document comes first, whether the search found it or not, and a pinned
// document outside the reader's groups is never shown.
func TestPinned(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]string{
		"taxi.md":      "# Taxis\n\nA taxi home after a late client dinner is reimbursed.\n",
		"travel.md":    "# Travel desk\n\nThe travel desk books flights and hotels for every trip.\n",
		"hr/travel.md": "# Executive travel\n\nExecutives may fly business class on any flight.\n",
	})
	ids := map[string]int64{}
	rows, err := b.pool.Query(context.Background(), `SELECT path, id FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		var id int64
		if err := rows.Scan(&p, &id); err != nil {
			t.Fatal(err)
		}
		ids[p] = id
	}
	search := func(pinned []int64, groups []string) []retrieve.Result {
		t.Helper()
		rs, err := b.searcher.Search(context.Background(), retrieve.Query{Text: "taxi after a client dinner", Groups: groups, Limit: 3, Pinned: pinned})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := search(nil, nil); len(rs) == 0 || rs[0].Path != "taxi.md" || rs[0].Pinned {
		t.Fatalf("without pins the taxi page leads, unpinned: %+v", rs)
	}
	rs := search([]int64{ids["travel.md"], ids["hr/travel.md"]}, nil)
	if len(rs) < 2 || rs[0].Path != "travel.md" || !rs[0].Pinned || rs[1].Path != "taxi.md" || rs[1].Pinned {
		t.Errorf("pinned travel.md should come first, then the taxi page: %+v", rs)
	}
	for _, r := range rs {
		if r.Path == "hr/travel.md" {
			t.Errorf("a pinned document outside the reader's groups was returned: %+v", r)
		}
	}
	if rs := search([]int64{ids["hr/travel.md"]}, []string{"hr"}); len(rs) == 0 || rs[0].Path != "hr/travel.md" || !rs[0].Pinned {
		t.Errorf("an HR reader gets the pinned HR page first: %+v", rs)
	}
}
