package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/docent-search/docent/web"
)

// gatedLLM is a stand-in model that holds every chat request until release is closed, after
// telling entered: a question asked through it stays inside its handler, holding its
// admission slot, for exactly as long as the test wants.
func gatedLLM(t *testing.T) (base string, entered chan struct{}, release chan struct{}) {
	t.Helper()
	llm := modeltest.New(t)
	target, err := url.Parse(llm.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	entered, release = make(chan struct{}, 16), make(chan struct{})
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat/completions") {
			entered <- struct{}{}
			<-release
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	return gate.URL + "/v1", entered, release
}

// saturated serves with admission limits and starts one question that holds the only slot
// until release is closed; the question's status arrives on done.
func saturated(t *testing.T, maxQueue int, wait time.Duration) (ts *httptest.Server, srv *web.Server, release chan struct{}, done chan int) {
	t.Helper()
	llmURL, entered, release := gatedLLM(t)
	srv = newServer(t, llmURL)
	srv.Identity = proxied()
	srv.MaxInFlight, srv.MaxQueue, srv.QueueWait = 1, maxQueue, wait
	ts = httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	done = make(chan int, 1)
	go func() {
		done <- background(ts.URL, "POST", "/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`)
	}()
	<-entered
	return ts, srv, release, done
}

// background is a request as ann for a goroutine, where send's t.Fatal may not be called: its
// status, or 0 if it failed.
func background(base, method, path, body string) int {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("X-Forwarded-User", "ann")
	req.Header.Set("X-Forwarded-Groups", "sales")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestSaturatedServerRefusesAtOnce holds the one slot with a question and no queue: a search
// is refused at once with 503 and Retry-After, as JSON under /api/ and as a page otherwise,
// and so is an MCP tool call, while health checks, static files, the admin page and MCP's
// handshake still answer. The refusals are counted, and once the slot frees searches run.
func TestSaturatedServerRefusesAtOnce(t *testing.T) {
	t.Parallel()
	ts, srv, release, done := saturated(t, -1, time.Minute)
	ann := http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"sales"}}
	for _, c := range []struct{ path, contentType, says string }{
		{"/api/search?q=taxi", "application/json", `"error":"Docent is busy`},
		{"/search?q=taxi", "text/html", "Docent is busy"},
	} {
		resp, body := send(t, ts.URL, request{path: c.path, headers: ann})
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) || !strings.Contains(body, c.says) {
			t.Errorf("%s at capacity: %d, Retry-After %q, %s: %.200s", c.path, resp.StatusCode, resp.Header.Get("Retry-After"),
				resp.Header.Get("Content-Type"), body)
		}
	}
	key := createKey(t, ts.URL, "ann", "sales", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})
	if out, isErr := call(t, mcpSession(t, ts.URL, key), "search", map[string]any{"query": "taxi"}); !isErr || !strings.Contains(out, "Docent is busy") {
		t.Errorf("MCP search at capacity: error %v, %s", isErr, out)
	}
	admin := http.Header{"X-Forwarded-User": {"root"}, "X-Forwarded-Groups": {"docent-admins"}}
	for _, path := range []string{"/healthz", "/readyz", "/static/app.css", "/admin", "/", "/search"} {
		if resp, _ := send(t, ts.URL, request{path: path, headers: admin}); resp.StatusCode != http.StatusOK {
			t.Errorf("%s at capacity: %d", path, resp.StatusCode)
		}
	}
	metrics := scrapeMetrics(srv)
	for _, want := range []string{`docent_admission_refused_total{reason="queue_full"} 3`, "docent_admission_in_flight 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics at capacity lack %q", want)
		}
	}
	close(release)
	if status := <-done; status != http.StatusOK {
		t.Errorf("the question holding the slot: %d", status)
	}
	if resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: ann}); resp.StatusCode != http.StatusOK {
		t.Errorf("a search once the slot is free: %d %s", resp.StatusCode, body)
	}
}

// TestQueuedRequestRunsWhenSlotFrees holds the one slot with a question: the next search waits
// in the one-place line, the one after it is refused, and the waiting search runs as soon as
// the question finishes.
func TestQueuedRequestRunsWhenSlotFrees(t *testing.T) {
	t.Parallel()
	ts, srv, release, done := saturated(t, 1, time.Minute)
	queued := make(chan int, 1)
	go func() { queued <- background(ts.URL, "GET", "/api/search?q=taxi", "") }()
	// Wait until the search is in line, as the gauge says: counted, not timed.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(scrapeMetrics(srv), "docent_admission_queued 1"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second request never queued")
		}
	}
	ann := http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"sales"}}
	if resp, _ := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: ann}); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a search with the line full: %d", resp.StatusCode)
	}
	close(release)
	if status := <-done; status != http.StatusOK {
		t.Errorf("the question holding the slot: %d", status)
	}
	if status := <-queued; status != http.StatusOK {
		t.Errorf("the queued search: %d", status)
	}
	metrics := scrapeMetrics(srv)
	for _, want := range []string{`docent_admission_refused_total{reason="queue_full"} 1`, `docent_admission_refused_total{reason="wait"} 0`,
		"docent_admission_queued 0", "docent_admission_in_flight 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics after the load lack %q", want)
		}
	}
}

// TestQueueWaitRunsOut holds the one slot: a search that waits in line longer than the queue
// wait is refused with 503, counted as such.
func TestQueueWaitRunsOut(t *testing.T) {
	t.Parallel()
	ts, srv, release, done := saturated(t, 1, time.Millisecond)
	defer func() { close(release); <-done }()
	resp, _ := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"sales"}}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("a search whose wait ran out: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if m := scrapeMetrics(srv); !strings.Contains(m, `docent_admission_refused_total{reason="wait"} 1`) {
		t.Error("the refusal after the wait is not counted")
	}
}

func scrapeMetrics(srv *web.Server) string {
	rec := httptest.NewRecorder()
	srv.Metrics.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// A client that sends half a question and goes quiet holds no slot: with one slot and no
// queue, a search still runs while the stalled request waits for the rest of its body.
func TestStalledBodyHoldsNoSlot(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	srv.Identity = proxied()
	srv.MaxInFlight, srv.MaxQueue = 1, -1
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/ask HTTP/1.1\r\nHost: %s\r\nX-Forwarded-User: ann\r\nX-Forwarded-Groups: sales\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{", ts.Listener.Addr())
	for range 3 {
		resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: http.Header{"X-Forwarded-User": {"bo"}, "X-Forwarded-Groups": {"sales"}}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a search beside a stalled question: %d %.200s", resp.StatusCode, body)
		}
	}
}

// TestAttachmentDownloadWaitsForASlot: taking an e-mail attachment out of its message decodes
// the whole message, so the download is under admission control like a search: with the one
// slot held and no queue it is refused with 503, and once the slot frees it is served.
func TestAttachmentDownloadWaitsForASlot(t *testing.T) {
	t.Parallel()
	llmURL, entered, release := gatedLLM(t)
	srv := newServerOver(t, llmURL, map[string]string{
		"travel.md": "# Travel\n\n## Taxis\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed. Keep the receipt.\n",
		"offer.eml": string(sampledocs.EML("ada@example.org", "ann@example.org", "Offer", "Tue, 3 Mar 2026 10:15:00 +0100",
			"The offer is attached.", "", sampledocs.File{Name: "notes.txt", Data: []byte("ATTACHED-NOTES-4711\n")})),
	})
	srv.Identity = proxied()
	srv.MaxInFlight, srv.MaxQueue = 1, -1
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	var id int64
	if err := srv.Pool.QueryRow(context.Background(), `SELECT id FROM documents WHERE path = 'offer.eml/notes.txt'`).Scan(&id); err != nil {
		t.Fatalf("the attachment's document: %v", err)
	}
	ann := http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"sales"}}
	done := make(chan int, 1)
	go func() {
		done <- background(ts.URL, "POST", "/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`)
	}()
	<-entered
	path := "/doc/" + itoa(id) + "/file"
	if resp, body := send(t, ts.URL, request{path: path, headers: ann}); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("attachment download at capacity: %d, Retry-After %q: %.200s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	close(release)
	if status := <-done; status != http.StatusOK {
		t.Errorf("the question holding the slot: %d", status)
	}
	if resp, body := send(t, ts.URL, request{path: path, headers: ann}); resp.StatusCode != http.StatusOK || body != "ATTACHED-NOTES-4711\n" {
		t.Errorf("attachment download after the slot freed: %d %.200s", resp.StatusCode, body)
	}
}

// TestOneReaderCannotHoldEverySlot: one reader firing four questions at once (within their
// rate limit's burst of 10) at a slow model held all four slots for as long as the model took,
// and every other reader's search was refused with 503 meanwhile. A reader has at most two
// questions in progress: the others are refused at once with 429, and another reader's search
// still runs.
func TestOneReaderCannotHoldEverySlot(t *testing.T) {
	t.Parallel()
	llmURL, entered, release := gatedLLM(t)
	srv := newServer(t, llmURL)
	srv.Identity = proxied()
	srv.AskPerMinute = 30
	srv.MaxInFlight, srv.MaxQueue = 4, -1
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	const asks = 4
	done := make(chan int, asks)
	for range asks {
		go func() {
			done <- background(ts.URL, "POST", "/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`)
		}()
	}
	// Every question has either reached the model, where it waits, or been answered.
	var statuses []int
	for held := 0; held+len(statuses) < asks; {
		select {
		case <-entered:
			held++
		case status := <-done:
			statuses = append(statuses, status)
		case <-time.After(30 * time.Second):
			t.Fatalf("the questions neither reached the model nor were answered: %v", statuses)
		}
	}
	resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: http.Header{"X-Forwarded-User": {"bo"}, "X-Forwarded-Groups": {"staff"}}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("another reader's search while ann's questions wait on the model: %d %.200s", resp.StatusCode, body)
	}
	close(release)
	for len(statuses) < asks {
		statuses = append(statuses, <-done)
	}
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[http.StatusOK] != 2 || counts[http.StatusTooManyRequests] != asks-2 {
		t.Errorf("ann's %d questions at once: statuses %v, want 2 answered and %d refused with 429", asks, statuses, asks-2)
	}
}
