package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docent-search/docent/internal/source"
)

// Metrics collects request and operation latencies and serves them in Prometheus' text
// format. It is deliberately small: a few histograms and counters, no client library.
type Metrics struct {
	mu         sync.Mutex
	histograms map[string]*histogram // by name and labels
	counters   map[string]float64    // by name{labels}
}

// NewMetrics returns an empty collection.
func NewMetrics() *Metrics {
	return &Metrics{histograms: map[string]*histogram{}, counters: map[string]float64{}}
}

// Add increases the counter name{labels} by v.
func (m *Metrics) Add(name, labels string, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counters[name+"{"+labels+"}"] += v
}

// IndexRun counts a finished re-index run's files by outcome.
func (m *Metrics) IndexRun(sum source.Summary) {
	for outcome, n := range map[string]int{"added": sum.Added, "updated": sum.Updated, "unchanged": sum.Unchanged,
		"deleted": sum.Deleted, "skipped": sum.Skipped, "failed": sum.Failed} {
		m.Add("docent_index_files_total", fmt.Sprintf("outcome=%q", outcome), float64(n))
	}
	m.Add("docent_index_chunks_total", "", float64(sum.Chunks))
}

var buckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

type histogram struct {
	name, labels string
	counts       []uint64
	sum          float64
	count        uint64
}

func (m *Metrics) observeLabeled(name, labels string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := name + "{" + labels + "}"
	h := m.histograms[key]
	if h == nil {
		h = &histogram{name: name, labels: labels, counts: make([]uint64, len(buckets))}
		m.histograms[key] = h
	}
	v := d.Seconds()
	for i, b := range buckets {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.count++
}

func (m *Metrics) observe(name string, d time.Duration) { m.observeLabeled(name, "", d) }

// instrument records each request's latency by route and status.
func (m *Metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		m.observeLabeled("docent_http_request_seconds", fmt.Sprintf("route=%q,status=\"%d\"", route, sw.status), time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Flush keeps streaming working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP writes the metrics in Prometheus' text exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	keys := make([]string, 0, len(m.histograms))
	for k := range m.histograms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	typed := map[string]bool{}
	for _, k := range keys {
		h := m.histograms[k]
		if !typed[h.name] {
			fmt.Fprintf(&b, "# TYPE %s histogram\n", h.name)
			typed[h.name] = true
		}
		sep := ""
		if h.labels != "" {
			sep = ","
		}
		for i, le := range buckets {
			fmt.Fprintf(&b, "%s_bucket{%s%sle=%q} %d\n", h.name, h.labels, sep, strconv.FormatFloat(le, 'g', -1, 64), h.counts[i])
		}
		fmt.Fprintf(&b, "%s_bucket{%s%sle=\"+Inf\"} %d\n%s_sum{%s} %g\n%s_count{%s} %d\n",
			h.name, h.labels, sep, h.count, h.name, h.labels, h.sum, h.name, h.labels, h.count)
	}
	counters := make([]string, 0, len(m.counters))
	for k := range m.counters {
		counters = append(counters, k)
	}
	slices.Sort(counters)
	for _, k := range counters {
		name := k[:strings.IndexByte(k, '{')]
		if !typed[name] {
			fmt.Fprintf(&b, "# TYPE %s counter\n", name)
			typed[name] = true
		}
		fmt.Fprintf(&b, "%s %g\n", strings.TrimSuffix(k, "{}"), m.counters[k])
	}
	m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Write([]byte(b.String()))
}
