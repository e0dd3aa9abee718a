package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docent-search/docent/internal/source"
)

// Metrics are Docent's Prometheus metrics beside the Go runtime and process collectors. Each
// has a registry of its own rather than the global one, so that tests run servers side by
// side. ServeHTTP serves them; cmd/server puts that on DOCENT_METRICS_ADDR, never on the
// readers' handler.
type Metrics struct {
	handler     http.Handler
	requests    *prometheus.HistogramVec
	retrieval   prometheus.Histogram
	answers     *prometheus.HistogramVec
	tokens      *prometheus.CounterVec
	indexFiles  *prometheus.CounterVec
	indexChunks prometheus.Counter
	// Admission control (admission.go): requests running and waiting, and those refused.
	inFlight prometheus.Gauge
	queued   prometheus.Gauge
	refused  *prometheus.CounterVec
}

// buckets span a cached search (5 ms) to a slow model's answer (30 s).
var buckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// fileOutcomes are the outcomes of a file in a re-index run, counted from zero.
var fileOutcomes = []string{"added", "updated", "unchanged", "deleted", "skipped", "failed"}

// NewMetrics registers Docent's metrics, each file outcome's counter at zero so that a fresh
// server's rates are defined.
func NewMetrics() *Metrics {
	registry := prometheus.NewRegistry()
	m := &Metrics{
		handler: promhttp.HandlerFor(registry, promhttp.HandlerOpts{}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "docent_http_request_seconds",
			Help: "Time to answer an HTTP request, by route pattern and status.", Buckets: buckets}, []string{"route", "status"}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "docent_retrieval_seconds",
			Help: "Time to retrieve the passages of a search.", Buckets: buckets}),
		answers: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "docent_answer_seconds",
			Help: "Time to answer a question, retrieval included, by mode (llm or extractive).", Buckets: buckets}, []string{"mode"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docent_llm_tokens_total",
			Help: "Tokens the language model streamed in answers, by model."}, []string{"model"}),
		indexFiles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docent_index_files_total",
			Help: "Files seen by finished re-index runs, by outcome."}, []string{"outcome"}),
		indexChunks: prometheus.NewCounter(prometheus.CounterOpts{Name: "docent_index_chunks_total",
			Help: "Chunks written by finished re-index runs."}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "docent_admission_in_flight",
			Help: "Searches and questions running now, under admission control."}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{Name: "docent_admission_queued",
			Help: "Searches and questions waiting for a slot now."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docent_admission_refused_total",
			Help: "Searches and questions refused with 503 because the server was at capacity, by reason (queue_full or wait)."}, []string{"reason"}),
	}
	for _, reason := range []string{"queue_full", "wait"} {
		m.refused.WithLabelValues(reason)
	}
	for _, o := range fileOutcomes {
		m.indexFiles.WithLabelValues(o)
	}
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.retrieval, m.answers, m.tokens, m.indexFiles, m.indexChunks, m.inFlight, m.queued, m.refused)
	return m
}

// IndexRun counts a finished re-index run's files by outcome.
func (m *Metrics) IndexRun(sum source.Summary) {
	for i, n := range []int{sum.Added, sum.Updated, sum.Unchanged, sum.Deleted, sum.Skipped, sum.Failed} {
		m.indexFiles.WithLabelValues(fileOutcomes[i]).Add(float64(n))
	}
	m.indexChunks.Add(float64(sum.Chunks))
}

// answered records a question's answer: its time by mode, and the tokens the model streamed.
func (m *Metrics) answered(mode, model string, d time.Duration, tokens int) {
	m.answers.WithLabelValues(mode).Observe(d.Seconds())
	if mode == "llm" {
		m.tokens.WithLabelValues(model).Add(float64(tokens))
	}
}

// ServeHTTP writes the metrics in Prometheus' exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.handler.ServeHTTP(w, r)
}

// instrument records each request's latency by route and status.
func (m *Metrics) instrument(route string, h http.Handler) http.Handler {
	byStatus := m.requests.MustCurryWith(prometheus.Labels{"route": route})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		byStatus.WithLabelValues(strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
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

// Unwrap lets http.ResponseController reach the connection through the wrapper: without it,
// the read deadlines handlers set on request bodies (readBodyFirst) were silently not set.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
