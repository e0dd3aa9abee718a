package metric

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMetrics(t *testing.T) {
	t.Parallel()
	judged := map[string]int{"a": 1, "b": 2, "z": 1}
	ranked := []string{"x", "a", "y", "b"}
	// DCG = 1/log2(3) + 3/log2(5); ideal = 3/log2(2) + 1/log2(3) + 1/log2(4).
	want := (1/math.Log2(3) + 3/math.Log2(5)) / (3 + 1/math.Log2(3) + 0.5)
	if got := NDCG(ranked, judged, 10); !near(got, want) {
		t.Errorf("nDCG = %v, want %v", got, want)
	}
	if got := Recall(ranked, judged, 2); !near(got, 1.0/3) {
		t.Errorf("recall@2 = %v, want 1/3", got)
	}
	if got := Recall(ranked, judged, 10); !near(got, 2.0/3) {
		t.Errorf("recall@10 = %v, want 2/3", got)
	}
}
