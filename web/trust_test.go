package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/docent-search/docent/web"
)

// request is one request to send with send.
type request struct {
	method, path, body string
	host               string // the Host header; empty: the test server's address
	headers            http.Header
}

// send sends req to ts and returns the response with its body read.
func send(t *testing.T, base string, req request) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest(cmpOr(req.method, "GET"), base+req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range req.headers {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if req.host != "" {
		r.Host = req.host
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestHostAllowList plays DNS rebinding: a page on the attacker's name, which now resolves to
// 127.0.0.1, calls Docent from the victim's browser. The browser treats it as same-origin, so
// only the Host header tells it apart, and it must get nothing: no source list, no re-index.
func TestHostAllowList(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	port := ts.Listener.Addr().String()
	port = port[strings.LastIndexByte(port, ':'):] // ":12345"
	sameSite := http.Header{"Sec-Fetch-Site": {"same-origin"}}

	t.Run("LocalModeServesLoopbackNamesOnly", func(t *testing.T) {
		for _, host := range []string{"localhost" + port, "127.0.0.1" + port, "[::1]" + port, "LOCALHOST", "127.0.0.1"} {
			if resp, body := send(t, ts.URL, request{path: "/api/sources", host: host}); resp.StatusCode != 200 || !strings.Contains(body, `"docs"`) {
				t.Errorf("Host %s: %d %.200s", host, resp.StatusCode, body)
			}
		}
		for _, host := range []string{"rebind.example" + port, "rebind.example", "localhost.rebind.example" + port, "127.0.0.1.nip.io" + port, "[::2]" + port} {
			rebound := http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://" + host}}
			resp, body := send(t, ts.URL, request{path: "/api/sources", host: host, headers: rebound})
			if resp.StatusCode != http.StatusMisdirectedRequest || strings.Contains(body, `"docs"`) {
				t.Errorf("Host %s read the sources: %d %.200s", host, resp.StatusCode, body)
			}
			resp, body = send(t, ts.URL, request{method: "POST", path: "/api/sources/docs/reindex", host: host, headers: rebound})
			if resp.StatusCode != http.StatusMisdirectedRequest || !strings.Contains(body, "not Docent's") {
				t.Errorf("Host %s started a re-index: %d %.200s", host, resp.StatusCode, body)
			}
			if resp, _ := send(t, ts.URL, request{path: "/", host: host, headers: sameSite}); resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("Host %s got the ask page: %d", host, resp.StatusCode)
			}
		}
		// Probes address servers by IP and name alike; health carries no data.
		if resp, _ := send(t, ts.URL, request{path: "/healthz", host: "10.1.2.3" + port}); resp.StatusCode != 200 {
			t.Errorf("healthz by another name: %d", resp.StatusCode)
		}
	})

	t.Run("BehindAProxyServesThePublicHostOnly", func(t *testing.T) {
		id := proxied()
		id.PublicHost = "docent.example.com"
		ts := setupWith(t, id)
		user := http.Header{"X-Forwarded-User": {"ann"}}
		for _, host := range []string{"docent.example.com", "Docent.Example.COM:443"} {
			if resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", host: host, headers: user}); resp.StatusCode != 200 {
				t.Errorf("Host %s: %d %.200s", host, resp.StatusCode, body)
			}
		}
		for _, host := range []string{"127.0.0.1" + port, "localhost", "evil.example", "docent.example.com.evil.example"} {
			if resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", host: host, headers: user}); resp.StatusCode != http.StatusMisdirectedRequest {
				t.Errorf("Host %s: %d %.200s", host, resp.StatusCode, body)
			}
		}
		// A server behind a proxy that knows no public host serves no one.
		id.PublicHost = ""
		ts = setupWith(t, id)
		if resp, _ := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: user}); resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("no public host configured: %d", resp.StatusCode)
		}
	})
}

// TestResponsesWithContentAreNotStored checks Cache-Control on every kind of response that
// carries document text or answers, so no shared cache behind the proxy keeps one for the
// next user; static assets stay cacheable.
func TestResponsesWithContentAreNotStored(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ask := `{"question": "is a taxi home after a client dinner reimbursed?"}`
	_, found := send(t, ts.URL, request{path: "/api/search?q=taxi"})
	var res struct{ Results []struct{ URL string } }
	if err := json.Unmarshal([]byte(found), &res); err != nil || len(res.Results) == 0 {
		t.Fatalf("no document to view: %v %s", err, found)
	}
	view := res.Results[0].URL // /doc/{id}?chunk={id}
	doc := view[:strings.IndexByte(view, '?')]
	for _, req := range []request{
		{path: "/"},
		{path: "/?q=" + url.QueryEscape("is a taxi home reimbursed?")},
		{path: "/search?q=taxi"},
		{path: doc},
		{path: view},
		{path: doc + "/file"},
		{path: "/doc/999999"},
		{path: "/admin"},
		{path: "/api/search?q=taxi"},
		{path: "/api/sources"},
		{method: "POST", path: "/api/ask", body: ask},
		{method: "POST", path: "/api/ask", body: ask, headers: http.Header{"Accept": {"text/event-stream"}}},
		{path: "/no/such/page"},
	} {
		resp, _ := send(t, ts.URL, req)
		if resp.StatusCode != 200 && req.path != "/doc/999999" && req.path != "/no/such/page" {
			t.Errorf("%s: status %d; the check needs a response with content", req.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("%s %s (%d): Cache-Control %q, want private, no-store", cmpOr(req.method, "GET"), req.path, resp.StatusCode, got)
		}
	}
	if resp, _ := send(t, ts.URL, request{path: "/static/app.css"}); resp.StatusCode != 200 || strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("static asset: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
}

// TestDuplicateIdentityHeadersAreRefused sends two user or two groups headers through the
// trusted proxy: which one the proxy set cannot be known, so the request is refused instead of
// served as the first.
func TestDuplicateIdentityHeadersAreRefused(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	q := "/api/search?q=" + url.QueryEscape("zygomorphic budget codeword periwinkle")
	for name, h := range map[string]http.Header{
		"two groups headers": {"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"hr", "sales"}},
		"two user headers":   {"X-Forwarded-User": {"ann", "bo"}, "X-Forwarded-Groups": {"sales"}},
	} {
		resp, body := send(t, ts.URL, request{path: q, headers: h})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Ambiguous identity") || strings.Contains(body, "PERIWINKLE") {
			t.Errorf("%s: %d %.200s", name, resp.StatusCode, body)
		}
	}
	// One of each is still served.
	if resp, body := send(t, ts.URL, request{path: q, headers: http.Header{"X-Forwarded-User": {"bo"}, "X-Forwarded-Groups": {"hr, sales"}}}); resp.StatusCode != 200 || !strings.Contains(body, "budget.md") {
		t.Errorf("one header each: %d %.200s", resp.StatusCode, body)
	}
}

// TestIdentityHeadersThatAreNotUTF8AreRefused: a user or groups header from the proxy that
// is not UTF-8 (a gateway passing a Latin-1 "Zoë" on) answers 400 naming the header on every
// route, where it reached PostgreSQL and made each request of that reader a 500. A group
// header of 60,000 groups is split in well under a second (it took 4 s, quadratic in groups).
func TestIdentityHeadersThatAreNotUTF8AreRefused(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	for _, h := range []http.Header{
		{"X-Forwarded-User": {"zo\xeb"}, "X-Forwarded-Groups": {"staff"}},
		{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"staff,zo\xeb"}},
	} {
		for _, c := range []request{
			{path: "/api/search?q=taxi"},
			{path: "/?q=taxi"},
			{path: "/conversations"},
			{path: "/keys"},
			{method: "POST", path: "/api/ask", body: `{"question": "taxi"}`},
		} {
			c.headers = h
			resp, body := send(t, ts.URL, c)
			name := "X-Forwarded-User"
			if h.Get(name) == "ann" {
				name = "X-Forwarded-Groups"
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, name+": must be valid UTF-8") {
				t.Errorf("%s %s with %q: %d %.200s; want 400 naming %s", c.method, c.path, h, resp.StatusCode, body, name)
			}
		}
	}
	many := make([]string, 60000)
	for i := range many {
		many[i] = fmt.Sprintf("group-%d", i)
	}
	// How long splitting them takes is BenchmarkSplitGroups's (internal/source).
	resp, body := send(t, ts.URL, request{path: "/api/search?q=taxi", headers: http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {strings.Join(many, ",")}}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("60,000 groups: %d, want 200: %.200s", resp.StatusCode, body)
	}
}

// TestBadSearchTextAnswers400 sends NUL bytes and invalid UTF-8 in each search parameter, and
// queries with no word at all: every answer is a whole response, 400 naming the parameter for
// text PostgreSQL cannot take, 200 with valid JSON for the wordless queries.
func TestBadSearchTextAnswers400(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	for _, param := range []string{"q", "source", "type", "path", "after", "before"} {
		for _, bad := range []string{"%00", "a%00b", "%ff", "%c3%28"} {
			v := url.Values{"q": {"taxi"}}
			u := "?" + v.Encode() + "&" + param + "=" + bad
			if param == "q" {
				u = "?q=" + bad
			}
			resp, body := send(t, ts.URL, request{path: "/api/search" + u})
			var out struct{ Error string }
			if resp.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(body), &out) != nil || !strings.HasPrefix(out.Error, param+":") {
				t.Errorf("/api/search%s: %d %.200s, want 400 naming %s", u, resp.StatusCode, body, param)
			}
			if resp, body := send(t, ts.URL, request{path: "/search" + u}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, param+":") {
				t.Errorf("/search%s: %d, want 400 naming %s", u, resp.StatusCode, param)
			}
		}
	}
	if resp, body := send(t, ts.URL, request{path: "/?q=taxi%00"}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "q:") {
		t.Errorf("ask page with a NUL: %d", resp.StatusCode)
	}
	if resp, body := send(t, ts.URL, request{method: "POST", path: "/api/ask", body: `{"question": "taxi\u0000"}`}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "question:") {
		t.Errorf("ask API with a NUL: %d %s", resp.StatusCode, body)
	}
	// A question longer than the forms and the API allow, typed into a link: 400 naming q,
	// not a question read whole by retrieval and the answerer.
	long := strings.Repeat("taxi+", 100000)
	for _, path := range []string{"/?q=", "/search?q=", "/api/search?q="} {
		if resp, body := send(t, ts.URL, request{path: path + long}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "q: at most 4000 bytes") {
			t.Errorf("%s with a 500 KB question: %d %.200s, want 400 naming q", path, resp.StatusCode, body)
		}
	}
	for _, q := range []string{"%27", "%3F%21", "%22%22"} {
		resp, body := send(t, ts.URL, request{path: "/api/search?q=" + q})
		var out struct{ Results []any }
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil {
			t.Errorf("/api/search?q=%s: %d %q, want 200 with JSON", q, resp.StatusCode, body)
		}
	}
}

// TestCrossSiteLinkDoesNotAsk follows a link to /?q= from another site: the page shows the
// question without asking it, so nothing is recorded in the reader's name; the reader's own
// form (same-origin) and non-browser clients still get answers.
func TestCrossSiteLinkDoesNotAsk(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, web.Identity{AdminGroup: "docent-admins"}, "")
	conversations := func() int {
		var n int
		if err := srv.Pool.QueryRow(context.Background(), `SELECT count(*) FROM conversations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	q := "/?q=" + url.QueryEscape("is a taxi home after a client dinner reimbursed?")
	page := func(h http.Header) (answered bool, question string) {
		t.Helper()
		resp, body := send(t, ts.URL, request{path: q, headers: h})
		if resp.StatusCode != 200 {
			t.Fatalf("%v: status %d", h, resp.StatusCode)
		}
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		question, _ = doc.Find(`[data-testid=question]`).Attr("value")
		answered = strings.Contains(doc.Find(`[data-testid=answer]`).Text(), "always reimbursed")
		if linked := doc.Find(`[data-testid=linked-question]`).Length() > 0; linked == answered {
			t.Errorf("%v: answered %v, yet the note on a linked question shown %v", h, answered, linked)
		}
		return answered, question
	}
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Sec-Fetch-Site": {"same-site"}},
		{"Referer": {"https://evil.example/page"}}, // an older browser without Fetch metadata
	} {
		answered, question := page(h)
		if answered || question != "is a taxi home after a client dinner reimbursed?" {
			t.Errorf("%v: answered %v, question in the box %q; want the question shown, not asked", h, answered, question)
		}
	}
	if n := conversations(); n != 0 {
		t.Fatalf("cross-site links recorded %d conversations", n)
	}
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"same-origin"}},
		{"Sec-Fetch-Site": {"none"}}, // typed or bookmarked
		{"Referer": {ts.URL + "/"}},
		{}, // curl
	} {
		if answered, _ := page(h); !answered {
			t.Errorf("%v: not answered", h)
		}
	}
	if n := conversations(); n != 4 {
		t.Errorf("%d conversations recorded for 4 questions asked", n)
	}
}

// TestInvisibleCharactersInQuestions: characters that show nothing (a soft hyphen or a
// zero-width space pasted with a question, bidirectional controls) are read as documents are
// indexed, without them: a question of only such characters is empty, and one with them inside
// a word finds what the word finds.
func TestInvisibleCharactersInQuestions(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	resp, body := send(t, ts.URL, request{method: "POST", path: "/api/ask", body: `{"question": "\u200b\u202e\u00ad "}`})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "question: must not be empty") {
		t.Errorf("a question of invisible characters: %d %s, want 400", resp.StatusCode, body)
	}
	first := func(q string) string {
		t.Helper()
		resp, body := send(t, ts.URL, request{path: "/api/search?q=" + url.QueryEscape(q)})
		var out struct{ Results []struct{ URL string } }
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("/api/search?q=%q: %d %.200s", q, resp.StatusCode, body)
		}
		if len(out.Results) == 0 {
			return ""
		}
		return out.Results[0].URL
	}
	want := first("taxi reimbursed")
	if want == "" {
		t.Fatal("no result for taxi reimbursed")
	}
	if got := first("ta\u00adxi reim\u200bbursed"); got != want {
		t.Errorf("with a soft hyphen and a zero-width space: first result %q, want %q", got, want)
	}
}

// TestMalformedQueryStringAnswers400: a query string net/http cannot decode ("%zz") was dropped
// by Query, so the search ran for nothing and answered as if asked; it is a 400 naming it.
func TestMalformedQueryStringAnswers400(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	for _, path := range []string{"/api/search?q=%zz", "/search?q=taxi%zz", "/?q=%"} {
		if resp, body := send(t, ts.URL, request{path: path}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "query string:") {
			t.Errorf("%s: %d %.200s, want 400 naming the query string", path, resp.StatusCode, body)
		}
	}
	if resp, _ := send(t, ts.URL, request{path: "/api/search?q=taxi%20home"}); resp.StatusCode != 200 {
		t.Errorf("a well-formed query: %d", resp.StatusCode)
	}
}

// TestQuestionShownAsTyped: the search page's box shows the query as typed, invisible
// characters and all, and so must the ask page's: a zero-width non-joiner is part of how
// Persian is written ("می‌خواهم", not "میخواهم"), and the page must not show the reader a
// question they did not type. Only retrieval reads it without them.
func TestQuestionShownAsTyped(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	const q = "taxi می\u200cخواهم"
	for _, path := range []string{"/search?q=", "/?q="} {
		resp, body := send(t, ts.URL, request{path: path + url.QueryEscape(q)})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, q) {
			t.Errorf("%s: %d, the question as typed (%q) is not on the page", path, resp.StatusCode, q)
		}
	}
}
