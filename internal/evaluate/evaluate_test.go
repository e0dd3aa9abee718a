package evaluate

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMetrics(t *testing.T) {
	t.Parallel()
	judged := map[string]int{"a": 1, "b": 2, "z": 1}
	ranked := []string{"x", "a", "y", "b"}
	if got := mrr(ranked, judged, 10); !near(got, 0.5) {
		t.Errorf("MRR = %v, want 0.5", got)
	}
	if got := mrr(ranked, judged, 1); got != 0 {
		t.Errorf("MRR@1 = %v, want 0", got)
	}
	if got := percentile([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.95); got != 10 {
		t.Errorf("p95 = %v, want 10", got)
	}
}

func TestReadBEIRFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	q := filepath.Join(dir, "q.jsonl")
	os.WriteFile(q, []byte(`{"_id": "1", "text": "first"}`+"\n\n"+`{"_id": "2", "text": "second", "metadata": {}}`+"\n"), 0o644)
	qs, err := ReadQueries(q)
	if err != nil || len(qs) != 2 || qs[1].Text != "second" {
		t.Fatalf("ReadQueries = %v, %v", qs, err)
	}
	r := filepath.Join(dir, "r.tsv")
	os.WriteFile(r, []byte("query-id\tcorpus-id\tscore\n1\tdocA\t1\n1\tdocB\t0\n2\tdocC\t2\n"), 0o644)
	qrels, err := ReadQrels(r)
	if err != nil || qrels["1"]["docA"] != 1 || qrels["2"]["docC"] != 2 || len(qrels["1"]) != 2 {
		t.Fatalf("ReadQrels = %v, %v", qrels, err)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{not json\n"), 0o644)
	if _, err := ReadQueries(bad); err == nil {
		t.Error("a malformed queries file was accepted")
	}
	os.WriteFile(bad, []byte("1\tdoc\tmany\n"), 0o644)
	if _, err := ReadQrels(bad); err == nil {
		t.Error("a qrels score that is not a number was accepted")
	}
}
