package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/querylog"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/web"
)

const secret = "Zygomorphic budget codeword is PERIWINKLE-42."

func setup(t *testing.T) *httptest.Server {
	t.Helper()
	return setupWith(t, web.Identity{AdminGroup: "docent-admins", UserHeader: "X-Forwarded-User", GroupsHeader: "X-Forwarded-Groups"})
}

// setupWith serves the sample documents with the given identity settings.
func setupWith(t *testing.T, id web.Identity) *httptest.Server {
	t.Helper()
	return setupWithAnswerer(t, id, "")
}

// setupWithAnswerer is setupWith answering through the OpenAI-compatible server at llmURL,
// or extractively when it is empty.
func setupWithAnswerer(t *testing.T, id web.Identity, llmURL string) *httptest.Server {
	t.Helper()
	ts, _ := setupServer(t, id, llmURL)
	return ts
}

// setupServer is setupWithAnswerer that also returns the server, for tests that look at its
// database or metrics.
func setupServer(t *testing.T, id web.Identity, llmURL string) (*httptest.Server, *web.Server) {
	t.Helper()
	srv := newServer(t, llmURL)
	srv.Identity = id
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, srv
}

// newServer is a server over the sample documents, not yet serving, answering as
// setupWithAnswerer does.
func newServer(t *testing.T, llmURL string) *web.Server {
	t.Helper()
	return newServerOver(t, llmURL, map[string]string{
		"travel.md":    "# Travel\n\n## Taxis\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed. Keep the receipt.\n",
		"hr/budget.md": "# Budget\n\n" + secret + "\n",
		"xss.html":     "<html><head><title>Tricky &lt;script&gt;</title></head><body><p>Taxi receipts: &lt;script&gt;alert(1)&lt;/script&gt; are reimbursed.</p></body></html>",
	})
}

// newServerOver is newServer over the given files (slash path → content), HR's restricted.
func newServerOver(t *testing.T, llmURL string, files map[string]string) *web.Server {
	t.Helper()
	var answerer answer.Answerer = answer.Extractive{}
	if llmURL != "" {
		var err error
		if answerer, err = answer.New(config.Config{LLM: "openai", LLMURL: llmURL, LLMModel: "m", LLMTimeout: 10 * time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	pool := pgtest.NewPool(t)
	docenttest.Index(t, pool, "docs", docenttest.Folder(t, files), source.Rule{Glob: "hr/**", Groups: []string{"hr"}})
	s := &retrieve.Searcher{Pool: pool, Embedder: docenttest.Embedder}
	jobs := docenttest.Queue(t, pool, reindex.Config{Workers: 1})
	return &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answerer},
		Conversations: answer.Conversations{Pool: pool}, Jobs: jobs, Log: docenttest.Log,
		QueryLog: &querylog.Log{Pool: pool, Retention: 90 * 24 * time.Hour, Log: docenttest.Log}}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAskPage(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	status, body := get(t, ts.URL+"/?q="+url.QueryEscape("can I get a taxi home after a client dinner?"))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Find(`[data-testid=mode]`).Text(); !strings.Contains(got, "Extractive") {
		t.Errorf("mode badge %q", got)
	}
	ans := doc.Find(`[data-testid=answer]`).Text()
	if !strings.Contains(ans, "always reimbursed") {
		t.Errorf("answer %q does not quote the taxi passage", ans)
	}
	link, ok := doc.Find(`a.cite`).First().Attr("href")
	if !ok {
		t.Fatal("answer has no citation link")
	}
	// The citation opens the document with the cited passage marked.
	status, body = get(t, ts.URL+link)
	if status != 200 {
		t.Fatalf("citation link %s: status %d", link, status)
	}
	page, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := page.Find(`[data-testid=passage]`).Text(); !strings.Contains(got, "always reimbursed") {
		t.Errorf("cited passage %q", got)
	}
	if strings.Contains(body, "<script>alert") {
		t.Error("document text reached the page unescaped")
	}
}

// TestRestrictedMarkerNeverReachesANonMember tracks the marker sentence of an hr-only
// document through every channel a user outside hr can reach: pages, JSON, the answer stream,
// document views and downloads, source listings, and the prompt the model receives. An hr
// member, asking the same, sees it: the checks can fail.
func TestRestrictedMarkerNeverReachesANonMember(t *testing.T) {
	t.Parallel()
	llm := modeltest.New(t)
	llm.Reply = "The sources do not say [1]."
	ts := setupWithAnswerer(t, proxied(), llm.URL+"/v1")
	ann := map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "sales"}
	bo := map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"}
	q := url.QueryEscape("zygomorphic budget codeword periwinkle")
	// Half about a visible document, so that the model is asked and its prompt can be checked.
	ask := `{"question": "is a taxi home after a client dinner reimbursed, and what is the zygomorphic budget codeword?"}`
	leaks := func(body string) bool {
		return strings.Contains(body, "PERIWINKLE-42") || strings.Contains(body, "budget.md")
	}
	type channel struct {
		name, method, path, body string
		headers                  map[string]string
	}
	channels := []channel{
		{"ask page", "GET", "/?q=" + q, "", nil},
		{"ask page, answered", "GET", "/?q=" + url.QueryEscape("is a taxi home after a client dinner reimbursed, and what is the zygomorphic budget codeword?"), "", nil},
		{"search page", "GET", "/search?q=" + q, "", nil},
		{"search page filtered to the source", "GET", "/search?q=" + q + "&source=docs&path=hr/", "", nil},
		{"search API", "GET", "/api/search?q=" + q + "&k=100", "", nil},
		{"ask API", "POST", "/api/ask", ask, nil},
		{"ask API, streamed", "POST", "/api/ask", ask, map[string]string{"Accept": "text/event-stream"}},
		{"sources API", "GET", "/api/sources", "", nil},
	}
	for id := 1; id <= 6; id++ {
		channels = append(channels,
			channel{fmt.Sprint("document ", id), "GET", fmt.Sprint("/doc/", id, "?chunk=", id), "", nil},
			channel{fmt.Sprint("download ", id), "GET", fmt.Sprint("/doc/", id, "/file"), "", nil})
	}
	headers := func(who, extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range who {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, c := range channels {
		status, body := do(t, c.method, ts.URL+c.path, c.body, headers(ann, c.headers))
		if leaks(body) {
			t.Errorf("%s leaked the hr document to a non-member (status %d): %.300s", c.name, status, body)
		}
	}
	for _, r := range llm.Requests() {
		if leaks(string(r.Body)) {
			t.Errorf("the prompt sent to the model for a non-member carries the hr document: %.300s", r.Body)
		}
	}
	if len(llm.Requests()) == 0 {
		t.Error("the model was never asked, so the prompt check proved nothing")
	}

	// The same channels serve the marker to an hr member.
	seen := 0
	for _, c := range channels[:7] {
		if _, body := do(t, c.method, ts.URL+c.path, c.body, headers(bo, c.headers)); leaks(body) {
			seen++
		}
	}
	if seen < 4 {
		t.Errorf("only %d of 7 search and answer channels showed the hr document to an hr member", seen)
	}
}

func TestAPIAsk(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(ts.URL+"/api/ask", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		return resp.StatusCode, out
	}
	status, out := post(`{"question": "is a taxi after a client dinner reimbursed?"}`)
	if status != 200 || out["mode"] != "extractive" || out["found"] != true {
		t.Fatalf("status %d body %v", status, out)
	}
	cites, _ := out["citations"].([]any)
	if len(cites) == 0 || cites[0].(map[string]any)["document"] != "travel.md" {
		t.Fatalf("citations %v", out["citations"])
	}
	for _, bad := range []string{`{`, `{"question": ""}`, `[1,2]`, `{"question": 5}`} {
		if status, out := post(bad); status != 400 || out["error"] == "" {
			t.Errorf("body %s: status %d %v, want 400 with an error", bad, status, out)
		}
	}
	status, out = post(`{"question": "what is the airspeed velocity of an unladen swallow"}`)
	if status != 200 || out["found"] != false || out["answer"] != answer.NotFoundText {
		t.Errorf("unanswerable question: %d %v", status, out)
	}
}

func configForTests() config.Config {
	return config.Config{TextSearchConfig: "english"}
}
