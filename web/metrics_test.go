package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/source"
)

// TestMetricsExposition reads the metrics as Prometheus would: a fresh collection already
// has its counters at zero, the Go runtime and process metrics and HELP text; then runs and
// answers are counted.
func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	fresh := scrape(m)
	for _, want := range []string{
		`docent_index_files_total{outcome="failed"} 0`,
		"docent_index_chunks_total 0",
		"docent_retrieval_seconds_count 0",
		"# HELP docent_index_files_total ",
		"go_goroutines ",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(fresh, want) {
			t.Errorf("a fresh server's metrics lack %q:\n%s", want, fresh)
		}
	}
	m.IndexRun(source.Summary{Added: 3, Failed: 1, Chunks: 7})
	m.IndexRun(source.Summary{Added: 2})
	m.answered("llm", "m", 30*time.Millisecond, 12)
	m.answered("extractive", "", 2*time.Millisecond, 0)
	body := scrape(m)
	for _, want := range []string{
		`docent_index_files_total{outcome="added"} 5`,
		`docent_index_files_total{outcome="failed"} 1`,
		`docent_index_chunks_total 7`,
		`docent_llm_tokens_total{model="m"} 12`,
		`docent_answer_seconds_bucket{mode="llm",le="0.05"} 1`,
		`docent_answer_seconds_bucket{mode="llm",le="0.025"} 0`,
		`docent_answer_seconds_count{mode="llm"} 1`,
		`docent_answer_seconds_count{mode="extractive"} 1`,
		"# TYPE docent_index_files_total counter",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `docent_llm_tokens_total{model=""}`) {
		t.Error("an extractive answer counted model tokens")
	}
}

func scrape(m *Metrics) string {
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
