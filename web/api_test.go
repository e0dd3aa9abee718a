package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

// do sends a request with headers and returns the status and body.
func do(t *testing.T, method, u, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func proxied() web.Identity {
	return web.Identity{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups", AdminGroup: "docent-admins", PublicHost: "127.0.0.1"}
}

func TestProxyIdentity(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	q := "/api/search?q=" + url.QueryEscape("zygomorphic budget codeword periwinkle")

	status, _ := do(t, "GET", ts.URL+q, "", nil)
	if status != http.StatusUnauthorized {
		t.Errorf("no user from the proxy: status %d, want 401", status)
	}
	_, body := do(t, "GET", ts.URL+q, "", map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "sales, engineering"})
	if strings.Contains(body, "PERIWINKLE") || strings.Contains(body, "budget.md") {
		t.Error("a user outside hr saw the hr document")
	}
	status, body = do(t, "GET", ts.URL+q, "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"})
	if status != 200 || !strings.Contains(body, "budget.md") {
		t.Errorf("an hr member: status %d, body %.200s", status, body)
	}
	// Groups change on the next request: the same user without hr no longer sees it.
	_, body = do(t, "GET", ts.URL+q, "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "sales"})
	if strings.Contains(body, "budget.md") {
		t.Error("removing a group did not take effect on the next request")
	}
	status, _ = do(t, "GET", ts.URL+"/admin", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"})
	if status != http.StatusForbidden {
		t.Errorf("a non-admin opened /admin: status %d", status)
	}
	status, _ = do(t, "GET", ts.URL+"/admin", "", map[string]string{"X-Forwarded-User": "root", "X-Forwarded-Groups": "docent-admins"})
	if status != 200 {
		t.Errorf("an admin could not open /admin: status %d", status)
	}
}

func TestIdentityHeadersFromUntrustedAddressesAreRejected(t *testing.T) {
	t.Parallel()
	id := proxied()
	id.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.9.9.9/32")}
	ts := setupWith(t, id)
	status, body := do(t, "GET", ts.URL+"/api/search?q=taxi", "", map[string]string{"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "hr,docent-admins"})
	if status != http.StatusForbidden || !strings.Contains(body, "trusted proxy") {
		t.Fatalf("forged headers: status %d body %s", status, body)
	}
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	status, _ := do(t, "POST", ts.URL+"/api/sources/docs/reindex", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if status != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", status)
	}
	status, _ = do(t, "POST", ts.URL+"/admin/sources/docs/remove", "", map[string]string{"Origin": "https://evil.example"})
	if status != http.StatusForbidden {
		t.Errorf("cross-origin form post: status %d, want 403", status)
	}
	status, _ = do(t, "POST", ts.URL+"/api/ask", `{"question":"taxi"}`, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if status != 200 {
		t.Errorf("same-origin POST: status %d", status)
	}
}

func TestStreamedAnswerAndConversation(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	req, _ := http.NewRequest("POST", ts.URL+"/api/ask", strings.NewReader(`{"question": "is a taxi home after a client dinner reimbursed?"}`))
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	var tokens strings.Builder
	var final map[string]any
	sc := bufio.NewScanner(resp.Body)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			var v map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &v); err != nil {
				t.Fatalf("event data is not JSON: %s", line)
			}
			if name == "token" {
				tokens.WriteString(v["text"].(string))
			} else if name == "answer" {
				final = v
			}
		}
	}
	if final == nil || final["answer"] != tokens.String() || !strings.Contains(tokens.String(), "always reimbursed") {
		t.Fatalf("tokens %q, final %v", tokens.String(), final)
	}
	conv, _ := final["conversation"].(string)
	if conv == "" {
		t.Fatal("no conversation id")
	}
	// The follow-up continues the conversation.
	_, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "and do I need to keep the receipt?", "conversation": "`+conv+`"}`, nil)
	var next map[string]any
	json.Unmarshal([]byte(body), &next)
	if next["conversation"] != conv || !strings.Contains(next["question"].(string), "taxi") {
		t.Errorf("follow-up: %v", next)
	}
}

func TestAdminReindexAndJobs(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	status, body := do(t, "POST", ts.URL+"/api/sources/docs/reindex", "", nil)
	if status != http.StatusAccepted {
		t.Fatalf("reindex: %d %s", status, body)
	}
	var started struct{ Job int64 }
	json.Unmarshal([]byte(body), &started)
	var job map[string]any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, body = do(t, "GET", ts.URL+"/api/jobs/"+itoa(started.Job), "", nil)
		json.Unmarshal([]byte(body), &job)
		if job["status"] != "running" && job["status"] != "queued" {
			break
		}
	}
	if job["status"] != "succeeded" || job["summary"].(map[string]any)["seen"].(float64) != 3 {
		t.Fatalf("job: %v", job)
	}
	if status, _ := do(t, "POST", ts.URL+"/api/sources/nope/reindex", "", nil); status != http.StatusNotFound {
		t.Errorf("reindex of a missing source: status %d", status)
	}
	_, page := do(t, "GET", ts.URL+"/admin", "", nil)
	if !strings.Contains(page, `data-source="docs"`) || !strings.Contains(page, "Re-index finished") && !strings.Contains(page, "finished") {
		t.Errorf("admin page lacks the source or its last job")
	}
	_, sources := do(t, "GET", ts.URL+"/api/sources", "", nil)
	if !strings.Contains(sources, `"documents":3`) {
		t.Errorf("api/sources: %s", sources)
	}
}

func TestDownloadIsAccessChecked(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	ann := map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "sales"}
	hr := map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"}
	seen := false
	for id := 1; id <= 5; id++ {
		_, body := do(t, "GET", ts.URL+"/doc/"+itoa(int64(id))+"/file", "", ann)
		if strings.Contains(body, "PERIWINKLE") {
			t.Fatalf("download %d leaked the hr document to a non-member", id)
		}
		status, body := do(t, "GET", ts.URL+"/doc/"+itoa(int64(id))+"/file", "", hr)
		if status == 200 && strings.Contains(body, "PERIWINKLE") {
			seen = true
		}
	}
	if !seen {
		t.Error("the hr member could not download the hr document")
	}
}

func TestSearchPageFilters(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	_, body := do(t, "GET", ts.URL+"/search?q=taxi&type=html", "", nil)
	if !strings.Contains(body, `data-testid="result"`) || strings.Contains(body, "travel.md") {
		t.Errorf("type filter html: %.300s", body)
	}
	// The type filter offers every type the parsers produce, the one chosen selected.
	for _, typ := range source.Types() {
		want := `<option value="` + typ + `"`
		if typ == "html" {
			want += " selected"
		}
		if !strings.Contains(body, want) {
			t.Errorf("the type filter lacks %s", want)
		}
	}
	status, body := do(t, "GET", ts.URL+"/api/search?q=taxi&k=500", "", nil)
	if status != 400 || !strings.Contains(body, "k:") {
		t.Errorf("k out of range: %d %s", status, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, web.Identity{AdminGroup: "docent-admins"}, "")
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		if status, body := do(t, "GET", ts.URL+path, "", nil); status != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %q", path, status, body)
		}
	}
	do(t, "GET", ts.URL+"/api/search?q=taxi", "", nil)
	// Metrics are served on a listener of their own (DOCENT_METRICS_ADDR), never to readers.
	if status, body := do(t, "GET", ts.URL+"/metrics", "", nil); status != http.StatusNotFound || strings.Contains(body, "docent_") {
		t.Errorf("/metrics on the readers' handler: %d %.200s", status, body)
	}
	metrics := httptest.NewServer(srv.Metrics)
	t.Cleanup(metrics.Close)
	_, body := do(t, "GET", metrics.URL+"/metrics", "", nil)
	if !strings.Contains(body, `docent_http_request_seconds_count{route="GET /api/search",status="200"} 1`) ||
		!strings.Contains(body, "docent_retrieval_seconds_bucket") || !strings.Contains(body, "# TYPE docent_http_request_seconds histogram") {
		t.Errorf("metrics:\n%s", body)
	}
}

// TestCompromisedModel serves an answer from a stand-in model that returns script, a
// javascript: link, a remote image and citations to sources it was never given: none of it
// may reach the page as markup, and the bogus citations must go.
func TestCompromisedModel(t *testing.T) {
	t.Parallel()
	llm := modeltest.New(t)
	llm.Reply = `Taxis are reimbursed [1]. <script>alert(1)</script> [click](javascript:alert(1)) ` +
		`<img src=x onerror=alert(2)> ![x](https://evil.example/leak.png) See the salary bands [7].`
	ts := setupWithAnswerer(t, web.Identity{AdminGroup: "docent-admins"}, llm.URL+"/v1")
	_, page := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("is a taxi home after a client dinner reimbursed?"), "", nil)
	for _, bad := range []string{"<script>alert", `href="javascript:`, "<img src=x", `src="https://evil.example`, "[7]"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page carries %q from the model", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Error("the model's text is not shown escaped")
	}
	_, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`, nil)
	var resp struct {
		Answer    string
		Citations []struct{ N int }
	}
	json.Unmarshal([]byte(body), &resp)
	if strings.Contains(resp.Answer, "[7]") || len(resp.Citations) != 1 || resp.Citations[0].N != 1 {
		t.Errorf("API answer %q with citations %v", resp.Answer, resp.Citations)
	}
}

// TestConcurrentLoad sends 16 clients' worth of searches and questions at once (bounded: 320
// requests) and expects every one answered without a server error, hostile queries included.
// All 16 are admitted at once: refusing the excess is TestSaturatedServerRefusesAtOnce's.
func TestConcurrentLoad(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	srv.Identity = web.Identity{AdminGroup: "docent-admins", UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups"}
	srv.MaxInFlight = 16
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	queries := []string{"taxi after dinner", "a & | !b:*", "", strings.Repeat("z", 5000), "报销", "<script>"}
	errs := make(chan string, 320)
	var wg sync.WaitGroup
	for c := range 16 {
		wg.Go(func() {
			for i := range 20 {
				q := queries[(c+i)%len(queries)]
				var status int
				if i%4 == 0 {
					body, _ := json.Marshal(map[string]string{"question": q + " taxi"})
					status, _ = do(t, "POST", ts.URL+"/api/ask", string(body), map[string]string{"X-Forwarded-User": fmt.Sprint("u", c)})
				} else {
					status, _ = do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape(q), "", nil)
				}
				if status >= 500 {
					errs <- fmt.Sprintf("client %d request %d (%.20q): status %d", c, i, q, status)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if status, _ := do(t, "GET", ts.URL+"/healthz", "", nil); status != 200 {
		t.Errorf("after the load: healthz %d", status)
	}
}

// TestModelDownStillShowsSources answers through a model server that fails every time: the
// reader gets a plain error and the passages retrieval found.
func TestModelDownStillShowsSources(t *testing.T) {
	t.Parallel()
	llm := modeltest.New(t)
	for range 10 {
		llm.Fail("/v1/chat/completions", 503)
	}
	ts := setupWithAnswerer(t, web.Identity{AdminGroup: "docent-admins"}, llm.URL+"/v1")
	status, page := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("is a taxi home after a client dinner reimbursed?"), "", nil)
	if status != 200 || !strings.Contains(page, "The answer could not be completed") || !strings.Contains(page, "travel.md") {
		t.Errorf("page with the model down: status %d, error shown %v, sources shown %v", status,
			strings.Contains(page, "could not be completed"), strings.Contains(page, "travel.md"))
	}
	status, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`, nil)
	if status != http.StatusBadGateway || !strings.Contains(body, "could not be completed") {
		t.Errorf("API with the model down: %d %s", status, body)
	}
}
