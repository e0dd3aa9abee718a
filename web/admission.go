package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// errBusy is a request refused by admission control: the server is at capacity.
var errBusy = errors.New("busy")

// defaultQueueWait bounds how long a queued request waits for a slot when Server.QueueWait is
// zero. A search takes tens of milliseconds, so one second covers many turns of the slots;
// a request still waiting by then would only add to a backlog that keeps growing.
const defaultQueueWait = time.Second

// admission bounds the expensive work in progress (searches and answers): at most a number of
// requests run at once, a few more wait briefly in line, and the rest are refused at once with
// 503 and Retry-After. Past capacity, more concurrency adds only latency: every request slows
// down together until clients time out. Refusing the excess keeps the admitted requests fast
// and tells the rest, and load balancers, to come back.
type admission struct {
	slots chan struct{} // one token per running request
	line  chan struct{} // one token per request waiting for a slot
	wait  time.Duration
	// retryAfter is the Retry-After of a refusal, in whole seconds: about the time a slot
	// takes to come free under load.
	retryAfter string
	metrics    *Metrics
}

// newAdmission sizes admission control; see Server.MaxInFlight for the defaults.
func newAdmission(inFlight, queue int, wait time.Duration, poolSize int, m *Metrics) *admission {
	if inFlight <= 0 {
		inFlight = defaultInFlight(runtime.GOMAXPROCS(0), poolSize)
	}
	switch {
	case queue == 0:
		queue = queuePerSlot * inFlight
	case queue < 0:
		queue = 0
	}
	if wait <= 0 {
		wait = defaultQueueWait
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	return &admission{slots: make(chan struct{}, inFlight), line: make(chan struct{}, queue), wait: wait,
		retryAfter: strconv.Itoa(secs), metrics: m}
}

// defaultInFlight is two requests per core, at most one per database connection. A search
// alternates between Go (embedding the query, fusion, snippets, the page) and PostgreSQL, on
// the same cores in a small deployment: two per core keep a core busy while the other waits.
// More only thrash: on 2 cores, 16 concurrent searches got 60–75 done a second where 2 got
// 110–160 (SCALING.md). Beyond the pool's size requests would queue for a connection inside
// pgxpool instead, unbounded and invisible.
func defaultInFlight(procs, poolSize int) int {
	n := 2 * procs
	if poolSize > 0 {
		n = min(n, poolSize)
	}
	return max(n, 1)
}

// queuePerSlot is the default line's length per slot: under load a search takes 30–250 ms
// (README), so a slot turns over at least four times within the default one-second wait and a
// line of four per slot mostly drains in time; requests beyond it would mostly time out, and
// refusing them at once is kinder.
const queuePerSlot = 4

// acquire admits a request, waiting in line for at most a.wait, and returns the function that
// releases its slot; errBusy if the line is full or the wait ran out.
func (a *admission) acquire(ctx context.Context) (release func(), err error) {
	// A newcomer takes a free slot directly only when nobody is waiting, so that it does not
	// overtake the requests in line.
	if len(a.line) == 0 {
		select {
		case a.slots <- struct{}{}:
			return a.admitted(), nil
		default:
		}
	}
	select {
	case a.line <- struct{}{}:
	default:
		a.metrics.refused.WithLabelValues("queue_full").Inc()
		return nil, errBusy
	}
	a.metrics.queued.Inc()
	defer func() {
		<-a.line
		a.metrics.queued.Dec()
	}()
	timer := time.NewTimer(a.wait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return a.admitted(), nil
	case <-timer.C:
		a.metrics.refused.WithLabelValues("wait").Inc()
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *admission) admitted() func() {
	a.metrics.inFlight.Inc()
	return func() {
		a.metrics.inFlight.Dec()
		<-a.slots
	}
}

// admitted runs h under admission control: a refused request gets 503 with Retry-After, as
// JSON under /api/ and as a page otherwise.
func (s *Server) admitted(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The empty ask and search pages cost nothing: only a request that asks or searches
		// waits for a slot, so a reader arriving at a busy server still gets the form.
		if r.Method == http.MethodGet && strings.TrimSpace(r.URL.Query().Get("q")) == "" {
			h(w, r)
			return
		}
		release, err := s.admission.acquire(r.Context())
		if err != nil {
			s.error(w, r, err)
			return
		}
		defer release()
		h(w, r)
	}
}

// bodyReadTimeout bounds how long a limited request's body may take to arrive.
const bodyReadTimeout = 10 * time.Second

// readBodies reads the body of every request that has one before any route sees it, within
// bodyReadTimeout and maxBody: a client that sends half a body and goes quiet must not hold a
// connection and a handler for as long as it likes, nor, on the searches and questions under
// admission control, a slot (a handful of such connections would refuse everyone else).
func (s *Server) readBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			if err := readBodyFirst(w, r); err != nil {
				// net/http cancels the request's context on a failed read, but a client that
				// was only slow may still read why: the error page is rendered without it.
				s.error(w, r.WithContext(context.WithoutCancel(r.Context())), err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// readBodyFirst reads r's body (at most maxBody) into memory, where the handler reads it.
func readBodyFirst(w http.ResponseWriter, r *http.Request) error {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		// The deadline stays: before answering, the server reads what is left of the body,
		// and without one would wait on the quiet client for ever.
		return badRequest(fmt.Sprintf("request body: not read within %s, or over %d KB: %v", bodyReadTimeout, maxBody>>10, err))
	}
	rc.SetReadDeadline(time.Time{})
	r.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}
