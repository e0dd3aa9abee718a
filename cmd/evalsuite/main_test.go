package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestMeasureCorpus indexes the sample handbook with the real indexer binary into a fresh
// database, as make eval does, and checks every mode's figures, the reference column, the
// declined share, and that the database is gone afterwards.
func TestMeasureCorpus(t *testing.T) {
	server := pgtest.ServerURL(t)
	bin := t.TempDir()
	if b, err := exec.Command("go", "build", "-o", bin, "../indexer").CombinedOutput(); err != nil {
		t.Fatalf("building the indexer: %v\n%s", err, b)
	}
	handbook := corpus{name: "evalsuite-test", args: []string{"--rule", "hr/confidential/**=hr"},
		prepare: func(context.Context, string) (string, error) { return "../../examples/handbook", nil }}
	s := set{name: "handbook-eval", corpus: handbook, queries: "../../testdata/handbook-eval/queries.jsonl",
		qrels: "../../testdata/handbook-eval/qrels.tsv", negatives: "../../testdata/handbook-eval/unanswerable.jsonl"}
	var log bytes.Buffer
	results, err := measureCorpus(context.Background(), options{bin: bin, work: t.TempDir(), calibrate: true}, server, []set{s}, false, &log)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || len(results[0].modes) != 4 {
		t.Fatalf("results = %+v, want one set with lexical, vector, hybrid and the reference", results)
	}
	for i, want := range []string{"lexical", "vector", "hybrid", referenceMode} {
		m := results[0].modes[i]
		if m.Mode != want || m.Queries != 54 || m.NDCG10 < 0.8 || m.Recall100 < 0.9 {
			t.Errorf("mode %d = %s: nDCG@10 %.3f, Recall@100 %.3f on %d queries; want %s above 0.8 and 0.9 on 54",
				i, m.Mode, m.NDCG10, m.Recall100, m.Queries, want)
		}
		if (m.Declined == nil) != m.reference || (m.Declined != nil && m.Unanswerable != 24) {
			t.Errorf("%s: declined %v of %d, want a share of 24 for Docent's modes only", m.Mode, m.Declined, m.Unanswerable)
		}
	}
	// The answer decisions behind -calibrate: one per judged and per unanswerable question,
	// deciding as the hybrid ranking's declined share says.
	decisions, err := readDecisions(results[0].decisions)
	if err != nil {
		t.Fatal(err)
	}
	now := rates(decisions, thresholds{answer.DefaultMinCoverage, answer.DefaultMinMargin})
	if hybrid := results[0].modes[2]; len(decisions) != 54+24 || now.unanswerable != 24 || now.judged < 50 ||
		hybrid.Declined == nil || math.Abs(now.declined-*hybrid.Declined) > 1e-9 {
		t.Errorf("%d decisions, %d unanswerable declined %.2f (hybrid: %v), %d with a judged top passage; want 54 + 24, as the hybrid mode declines, 50 or more judged",
			len(decisions), now.unanswerable, now.declined, results[0].modes[2].Declined, now.judged)
	}
	conn, err := pgx.Connect(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = 'docent_eval_evalsuite_test'").Scan(&n)
	if n != 0 {
		t.Error("the set's database was not dropped")
	}
}

func TestCompare(t *testing.T) {
	exp := expected{Sets: map[string]map[string]figures{
		"a": {"hybrid": {NDCG10: 0.5, Recall100: 0.9}, "lexical": {NDCG10: 0.4, Recall100: 0.8}},
	}}
	result := func(hybrid, lexical float64) []setResult {
		return []setResult{{set: "a", modes: []modeResult{
			{Mode: "hybrid", Report: evaluate.Report{NDCG10: hybrid, Recall100: 0.9}},
			{Mode: "lexical", Report: evaluate.Report{NDCG10: lexical, Recall100: 0.8}},
		}}}
	}
	var out bytes.Buffer
	// Within the tolerance either way: passes.
	if err := compare(&out, exp, result(0.4985, 0.4015), nil, 0.002, 0.01); err != nil {
		t.Errorf("small moves: %v", err)
	}
	// A rise passes and is printed; a drop fails and is printed.
	out.Reset()
	if err := compare(&out, exp, result(0.55, 0.4), nil, 0.002, 0.01); err != nil || !strings.Contains(out.String(), "rose: a hybrid nDCG@10: 0.5500, expected 0.5000 (+0.0500)") {
		t.Errorf("rise: %v\n%s", err, out.String())
	}
	out.Reset()
	err := compare(&out, exp, result(0.5, 0.39), nil, 0.002, 0.01)
	if err == nil || !strings.Contains(out.String(), "DROPPED: a lexical nDCG@10: 0.3900, expected 0.4000 (-0.0100)") {
		t.Errorf("drop: %v\n%s", err, out.String())
	}
	// Hybrid Recall@100 has the tolerance of the vector candidates' ties; hybrid nDCG@10 does not.
	recall := result(0.5, 0.4)
	recall[0].modes[0].Recall100 = 0.896
	if err := compare(io.Discard, exp, recall, nil, 0.002, 0.01); err != nil {
		t.Errorf("hybrid Recall@100 0.004 lower: %v", err)
	}
	recall[0].modes[0].Recall100 = 0.894
	if err := compare(io.Discard, exp, recall, nil, 0.002, 0.01); err == nil {
		t.Error("hybrid Recall@100 0.006 lower passed")
	}
	recall[0].modes[1].Recall100 = 0.796
	recall[0].modes[0].Recall100 = 0.9
	if err := compare(io.Discard, exp, recall, nil, 0.002, 0.01); err == nil {
		t.Error("lexical Recall@100 0.004 lower passed")
	}
	// Vector-only figures have their own, wider tolerance.
	exp.Sets["a"]["vector"] = figures{NDCG10: 0.3, Recall100: 0.7}
	vector := func(ndcg float64) []setResult {
		r := result(0.5, 0.4)
		r[0].modes = append(r[0].modes, modeResult{Mode: "vector", Report: evaluate.Report{NDCG10: ndcg, Recall100: 0.7}})
		return r
	}
	if err := compare(io.Discard, exp, vector(0.295), nil, 0.002, 0.01); err != nil {
		t.Errorf("vector within its tolerance: %v", err)
	}
	if err := compare(io.Discard, exp, vector(0.28), nil, 0.002, 0.01); err == nil {
		t.Error("a vector drop of 0.02 passed")
	}
	// A set whose vector-only figures are unchecked passes any vector figure, not a hybrid drop.
	unchecked := vector(0.1)
	unchecked[0].vectorUnchecked = true
	if err := compare(io.Discard, exp, unchecked, nil, 0.002, 0.01); err != nil {
		t.Errorf("an unchecked vector figure failed: %v", err)
	}
	unchecked[0].modes[0].NDCG10 = 0.45
	if err := compare(io.Discard, exp, unchecked, nil, 0.002, 0.01); err == nil {
		t.Error("a hybrid drop passed in a set whose vector figures are unchecked")
	}
	delete(exp.Sets["a"], "vector")
	// A mode without an expectation, or an expected set not measured, fails.
	r := result(0.5, 0.4)
	r[0].modes = append(r[0].modes, modeResult{Mode: referenceMode})
	if err := compare(io.Discard, exp, r, nil, 0.002, 0.01); err == nil || !strings.Contains(err.Error(), "no expectation for a bm25-reference") {
		t.Errorf("unknown mode: %v", err)
	}
	if err := compare(io.Discard, exp, result(0.5, 0.4), []string{"b"}, 0.002, 0.01); err == nil || !strings.Contains(err.Error(), "not measured: b") {
		t.Errorf("missing set: %v", err)
	}
}

// TestExpectedRoundTrip: -update writes what a later run reads, rounded to four places.
func TestExpectedRoundTrip(t *testing.T) {
	name := filepath.Join(t.TempDir(), "expected.json")
	e, err := readExpected(name)
	if err != nil || len(e.Sets) != 0 {
		t.Fatalf("a missing file: %v, %v; want no expectations", e, err)
	}
	r := setResult{set: "a", modes: []modeResult{{Mode: "hybrid", Report: evaluate.Report{NDCG10: 0.123456, Recall100: 1}}}}
	e.Sets["a"] = r.figures()
	if err := writeExpected(name, e); err != nil {
		t.Fatal(err)
	}
	back, err := readExpected(name)
	if err != nil || back.Sets["a"]["hybrid"] != (figures{NDCG10: 0.1235, Recall100: 1}) {
		t.Fatalf("read back %+v, %v", back, err)
	}
	os.WriteFile(name, []byte("{"), 0o644)
	if _, err := readExpected(name); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("broken file: %v, want an error naming it", err)
	}
}

// TestCommittedSets checks every set under testdata as make eval finds it: each has a corpus,
// each judged or fact-bearing question is asked, every answerable question has a page judged
// 2 and a fact where the set has facts, and no unanswerable question shares an id with one.
func TestCommittedSets(t *testing.T) {
	sets, err := discover("../../testdata", "beir")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, s := range sets {
		found[s.name] = true
		if s.corpus.name == "scifact" || s.corpus.name == "nfcorpus" {
			continue
		}
		queries, err := evaluate.ReadQueries(s.queries)
		if err != nil {
			t.Fatal(err)
		}
		qrels, err := evaluate.ReadQrels(s.qrels)
		if err != nil {
			t.Fatal(err)
		}
		asked := map[string]bool{}
		for _, q := range queries {
			asked[q.ID] = true
		}
		for id := range qrels {
			if !asked[id] {
				t.Errorf("%s: qrels judge %s, which queries.jsonl does not ask", s.name, id)
			}
		}
		var facts evaluate.Facts
		if s.facts != "" {
			if facts, err = evaluate.ReadFacts(s.facts); err != nil {
				t.Fatal(err)
			}
			for id := range facts {
				if !asked[id] {
					t.Errorf("%s: facts.tsv names %s, which queries.jsonl does not ask", s.name, id)
				}
			}
		}
		if !strings.HasPrefix(s.name, "handbook") && !strings.HasPrefix(s.name, "manpages") {
			for _, q := range queries {
				if !slices.Contains(slices.Collect(maps.Values(qrels[q.ID])), 2) {
					t.Errorf("%s: %s has no page judged 2", s.name, q.ID)
				}
				if facts != nil && len(facts[q.ID]) == 0 {
					t.Errorf("%s: %s has no fact", s.name, q.ID)
				}
			}
		}
		if s.negatives != "" {
			negatives, err := evaluate.ReadQueries(s.negatives)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range negatives {
				if asked[q.ID] {
					t.Errorf("%s: %s is both answerable and unanswerable", s.name, q.ID)
				}
			}
		}
	}
	for _, name := range []string{"git-doc", "python-doc", "sqlite-doc"} {
		if !found[name] {
			t.Errorf("the software manual set %s is not discovered", name)
		}
	}
}
