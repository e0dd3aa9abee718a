package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/source"
)

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	m.IndexRun(source.Summary{Added: 3, Failed: 1, Chunks: 7})
	m.IndexRun(source.Summary{Added: 2})
	m.observeLabeled("docent_answer_seconds", `mode="llm"`, 30*time.Millisecond)
	m.Add("docent_llm_tokens_total", `model="m"`, 12)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`docent_index_files_total{outcome="added"} 5`,
		`docent_index_files_total{outcome="failed"} 1`,
		`docent_index_chunks_total 7`,
		`docent_llm_tokens_total{model="m"} 12`,
		`docent_answer_seconds_bucket{mode="llm",le="0.05"} 1`,
		`docent_answer_seconds_bucket{mode="llm",le="0.025"} 0`,
		`docent_answer_seconds_count{mode="llm"} 1`,
		"# TYPE docent_index_files_total counter",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
