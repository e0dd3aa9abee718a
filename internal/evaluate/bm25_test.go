package evaluate

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

func TestAnalyze(t *testing.T) {
	got := Analyze("The Engineer's laptops were RUNNING out of disk-space, isn't it?")
	want := []string{"engin", "laptop", "were", "run", "out", "disk", "space", "isnt"}
	if !slices.Equal(got, want) {
		t.Fatalf("Analyze = %q, want %q", got, want)
	}
}

// TestBM25Score checks one score against the formula worked by hand, so the reference column
// is textbook BM25 and not merely some ranking.
func TestBM25Score(t *testing.T) {
	docs := []Doc{
		{Path: "a.txt", Text: "holiday holiday policy"},
		{Path: "b.txt", Text: "travel policy for trains and planes"},
		{Path: "c.txt", Text: "kitchen rules"},
	}
	x := NewBM25(docs, DefaultK1, DefaultB)
	res, err := x.Search(context.Background(), retrieve.Query{Text: "holidays", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Path != "a.txt" {
		t.Fatalf("results = %+v, want only a.txt", res)
	}
	// a.txt: 3 terms (holiday, holiday, polici); b.txt: 4 (travel, polici, train, plane; "for"
	// and "and" are stop words); c.txt: 2. Average 3.
	idf := math.Log(1 + (3-1+0.5)/(1+0.5))
	want := idf * 2 * (DefaultK1 + 1) / (2 + DefaultK1*(1-DefaultB+DefaultB*3/3))
	if math.Abs(res[0].Score-want) > 1e-9 {
		t.Fatalf("score = %v, want %v", res[0].Score, want)
	}

	// "policy" is in two documents: the shorter one ranks first; Limit cuts the list.
	res, _ = x.Search(context.Background(), retrieve.Query{Text: "policy", Limit: 1})
	if len(res) != 1 || res[0].Path != "a.txt" {
		t.Fatalf("policy, limit 1 = %+v, want a.txt", res)
	}
}

// TestRunReference measures the reference ranking through Run, as make eval does.
func TestRunReference(t *testing.T) {
	x := NewBM25([]Doc{
		{Path: "policies/holidays.md", Text: "27 days of paid holiday per year"},
		{Path: "it/vpn.md", Text: "connect to the VPN with WireGuard"},
	}, DefaultK1, DefaultB)
	qrels := Qrels{"q1": {"policies/holidays.md": 1}, "q2": {"it/vpn": 1}}
	rep, _, err := Run(context.Background(), x, []Query{{ID: "q1", Text: "paid holiday"}, {ID: "q2", Text: "vpn"}}, qrels, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.NDCG10 != 1 || rep.Recall100 != 1 || rep.Queries != 2 {
		t.Fatalf("report = %+v, want perfect scores on 2 queries", rep)
	}
}
