package web_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/docent-search/docent/internal/modeltest"
)

// as are the proxy's identity headers for user in groups (comma-separated).
func as(user, groups string) map[string]string {
	return map[string]string{"X-Forwarded-User": user, "X-Forwarded-Groups": groups}
}

var curatedAdmin = as("root", "docent-admins")

// postForm posts a form to u as who, without following the redirect an admin form answers
// a success with, and returns the response's status and Location.
func postForm(t *testing.T, u string, values url.Values, who map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(values.Encode()))
	for k, v := range who {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Transport{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// postFormNotice posts a form as who, follows the redirect as a browser does (cookies kept) and
// returns the notice the page it lands on shows, after checking that a reload and a link
// carrying its own ?notice= show none.
func postFormNotice(t *testing.T, u string, values url.Values, who map[string]string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(req *http.Request) (string, string) {
		t.Helper()
		for k, v := range who {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		doc, err := goquery.NewDocumentFromReader(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %v, want a redirect to a page", u, resp.StatusCode, err)
		}
		return strings.TrimSpace(doc.Find("p.notice").Text()), resp.Request.URL.String()
	}
	req, _ := http.NewRequest("POST", u, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	notice, landed := get(req)
	req, _ = http.NewRequest("GET", landed, nil)
	if again, _ := get(req); again != "" {
		t.Errorf("%s reloaded still shows %q", landed, again)
	}
	req, _ = http.NewRequest("GET", landed+"?notice=Session+expired:+sign+in+at+evil.example", nil)
	if forged, _ := get(req); forged != "" {
		t.Errorf("%s shows a notice from its address: %q", landed, forged)
	}
	return notice
}

const taxiCurated = `{"question": "Is a taxi home after a client dinner reimbursed?", "answer": "Yes, after **9 pm**: see [the travel policy](/doc/1).",
	"groups": ["staff", "hr"], "owner": "travel team", "review_by": "2099-12-31", "pinned": [{"source": "docs", "document": "hr/budget.md"}]}`

// createCurated adds a curated answer through the API as the admin and returns its id.
func createCurated(t *testing.T, base, body string) int64 {
	t.Helper()
	status, resp := do(t, "POST", base+"/api/curated", body, curatedAdmin)
	var created struct{ ID int64 }
	if status != http.StatusCreated || json.Unmarshal([]byte(resp), &created) != nil || created.ID == 0 {
		t.Fatalf("POST /api/curated: %d %s; want 201 {\"id\"}", status, resp)
	}
	return created.ID
}

type askedCurated struct {
	Curated *struct {
		ID       int64  `json:"id"`
		Answer   string `json:"answer"`
		Owner    string `json:"owner"`
		ReviewBy string `json:"review_by"`
	} `json:"curated"`
	Citations []struct{ Document string } `json:"citations"`
}

func TestCuratedAnswersAPI(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	for field, body := range map[string]string{
		"review_by": `{"question": "q", "answer": "a", "owner": "o", "review_by": "next week"}`,
		"owner":     `{"question": "q", "answer": "a", "review_by": "2099-01-01"}`,
		"question":  `{"question": "", "answer": "a", "owner": "o", "review_by": "2099-01-01"}`,
	} {
		if status, resp := do(t, "POST", ts.URL+"/api/curated", body, curatedAdmin); status != http.StatusBadRequest || !strings.Contains(resp, field) {
			t.Errorf("missing %s: %d %s; want 400 naming it", field, status, resp)
		}
	}
	if status, _ := do(t, "POST", ts.URL+"/api/curated", taxiCurated, as("bo", "staff")); status != http.StatusForbidden {
		t.Errorf("a reader creating a curated answer: %d, want 403", status)
	}
	if status, _ := do(t, "GET", ts.URL+"/api/curated", "", as("bo", "staff")); status != http.StatusForbidden {
		t.Errorf("a reader listing curated answers: %d, want 403", status)
	}
	id := createCurated(t, ts.URL, taxiCurated)
	path := ts.URL + "/api/curated/" + strconv.FormatInt(id, 10)
	changed := strings.Replace(taxiCurated, `"travel team"`, `"finance"`, 1)
	if status, resp := do(t, "PUT", path, changed, curatedAdmin); status != http.StatusOK || !strings.Contains(resp, `"owner":"finance"`) {
		t.Errorf("PUT: %d %s", status, resp)
	}
	status, resp := do(t, "GET", ts.URL+"/api/curated", "", curatedAdmin)
	var list struct {
		Curated []struct {
			ID       int64
			Owner    string
			ReviewBy string `json:"review_by"`
			Groups   []string
		}
	}
	if status != http.StatusOK || json.Unmarshal([]byte(resp), &list) != nil || len(list.Curated) != 1 || list.Curated[0].Owner != "finance" ||
		list.Curated[0].ReviewBy != "2099-12-31" || len(list.Curated[0].Groups) != 2 {
		t.Errorf("GET /api/curated: %d %s", status, resp)
	}

	ask := func(headers map[string]string) (askedCurated, string) {
		t.Helper()
		status, resp := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed"}`, headers)
		var a askedCurated
		if status != http.StatusOK || json.Unmarshal([]byte(resp), &a) != nil {
			t.Fatalf("ask: %d %s", status, resp)
		}
		return a, resp
	}
	// A staff reader gets it; the HR document pinned to it stays out of their sources.
	a, _ := ask(as("bo", "staff"))
	if a.Curated == nil || a.Curated.ID != id || a.Curated.Owner != "finance" || a.Curated.ReviewBy != "2099-12-31" || !strings.Contains(a.Curated.Answer, "9 pm") {
		t.Errorf("staff reader's curated answer: %+v", a.Curated)
	}
	for _, c := range a.Citations {
		if c.Document == "hr/budget.md" {
			t.Error("a pinned document outside the reader's groups was cited")
		}
	}
	// A reader outside its groups never sees it, nor that it exists.
	if a, raw := ask(as("cy", "sales")); a.Curated != nil || !strings.Contains(raw, `"curated":null`) || strings.Contains(raw, "finance") {
		t.Errorf("a reader outside the answer's groups got %s", raw)
	}
	// An HR reader finds the pinned HR document first in search.
	_, body := do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape("taxi home after a client dinner reimbursed?"), "", as("dee", "staff,hr"))
	var found struct {
		Results []struct {
			Document string
			Pinned   bool
		}
	}
	if json.Unmarshal([]byte(body), &found) != nil || len(found.Results) == 0 || found.Results[0].Document != "hr/budget.md" || !found.Results[0].Pinned {
		t.Errorf("search with a pinned document: %s", body)
	}
	_, body = do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape("is a taxi home after a client dinner reimbursed?"), "", as("bo", "staff"))
	if strings.Contains(body, "hr/budget.md") || strings.Contains(body, `"pinned":true`) {
		t.Errorf("a staff reader's search shows the pinned HR document: %s", body)
	}

	// The page shows it above the generated answer, without JavaScript.
	_, page := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("Is a taxi home after a client dinner reimbursed?"), "", as("bo", "staff"))
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	label := doc.Find(`[data-testid=curated-label]`).Text()
	if want := "Curated answer · finance · reviewed " + time.Now().UTC().Format("2006-01-02"); label != want {
		t.Errorf("label %q, want %q", label, want)
	}
	if strong := doc.Find(`[data-testid=curated-text] strong`).Text(); strong != "9 pm" {
		t.Errorf("the curated Markdown shows %q in bold, want 9 pm", strong)
	}
	if link, _ := doc.Find(`[data-testid=curated-text] a.doc-link`).Attr("href"); link != "/doc/1" {
		t.Errorf("the curated answer's document link is %q", link)
	}
	if order := doc.Find(`[data-testid=curated], #answer`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("id", "curated") }); len(order) != 2 || order[0] != "curated" {
		t.Errorf("page order %v: the curated answer must come first", order)
	}
	if _, page := do(t, "GET", ts.URL+"/?q="+url.QueryEscape("Is a taxi home after a client dinner reimbursed?"), "", as("cy", "sales")); strings.Contains(page, `data-testid="curated"`) {
		t.Error("the page shows a curated answer to a reader outside its groups")
	}

	// The admin page's form, without JavaScript: an error names the field with a 400, and a
	// complete form goes back to the list.
	values := url.Values{"question": {"who approves travel"}, "answer": {"Your manager."}, "review_by": {"2099-01-01"}, "pinned": {"docs:travel.md"}}
	if status, loc := postForm(t, ts.URL+"/admin/curated", values, curatedAdmin); status != http.StatusBadRequest || loc != "" {
		t.Errorf("a form without owner: %d to %q, want 400 on the page", status, loc)
	}
	values.Set("owner", "travel team")
	if notice := postFormNotice(t, ts.URL+"/admin/curated", values, curatedAdmin); notice != "Curated answer added." {
		t.Errorf("a complete form: notice %q", notice)
	}

	// An overdue answer is flagged on the admin list; deleting one is audited, and it is gone.
	old := createCurated(t, ts.URL, `{"question": "where is the wiki", "answer": "At /wiki.", "owner": "it", "review_by": "2020-01-31"}`)
	_, adminPage := do(t, "GET", ts.URL+"/admin/curated", "", curatedAdmin)
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(adminPage))
	if flagged := doc.Find(`[data-testid=expired]`).Closest(`[data-testid=curated-entry]`).AttrOr("data-id", ""); flagged != strconv.FormatInt(old, 10) {
		t.Errorf("the overdue answer flagged on the admin page: %q, want %d", flagged, old)
	}
	if status, _ := do(t, "DELETE", path, "", curatedAdmin); status != http.StatusNoContent {
		t.Errorf("DELETE: %d", status)
	}
	if status, _ := do(t, "GET", path, "", curatedAdmin); status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", status)
	}
	_, audit := do(t, "GET", ts.URL+"/api/audit", "", curatedAdmin)
	for _, action := range []string{"curated answer created", "curated answer changed", "curated answer deleted"} {
		if !strings.Contains(audit, action) {
			t.Errorf("audit log lacks %q", action)
		}
	}
}

// TestBrowserCuratedAboveGenerated: in Chromium, a question matching a curated answer shows
// it, labelled, above the streamed generated answer.
func TestBrowserCuratedAboveGenerated(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	createCurated(t, ts.URL, taxiCurated)
	bctx := browser(t)
	var label, curatedText, answerText string
	var curatedFirst bool
	err := chromedp.Run(bctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "staff"}),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, "is a taxi home after a client dinner reimbursed?\n"),
		chromedp.WaitVisible(`[data-testid="curated"]`),
		chromedp.WaitVisible(`#answer[aria-busy="false"] [data-testid="sources"], #sources [data-testid="sources"]`),
		chromedp.Text(`[data-testid="curated-label"]`, &label),
		chromedp.Text(`[data-testid="curated-text"]`, &curatedText),
		chromedp.Text(`#answer [data-testid="answer-text"]`, &answerText),
		chromedp.Evaluate(`!!(document.querySelector('[data-testid="curated"]').compareDocumentPosition(document.getElementById('answer')) & Node.DOCUMENT_POSITION_FOLLOWING)`, &curatedFirst),
	)
	if err != nil {
		t.Fatalf("asking in the browser: %v", err)
	}
	if !strings.HasPrefix(label, "Curated answer · travel team · reviewed ") || !strings.Contains(curatedText, "9 pm") {
		t.Errorf("curated answer %q: %q", label, curatedText)
	}
	if !curatedFirst || !strings.Contains(answerText, "always reimbursed") {
		t.Errorf("the curated answer should sit above the generated one (%q); first: %v", answerText, curatedFirst)
	}
	// The streamed answer can be copied and shared; the shared page shows it to its asker.
	var location, shared string
	err = chromedp.Run(bctx,
		chromedp.WaitVisible(`#answer [data-testid="copy-answer"]`),
		chromedp.Click(`[data-testid="share-answer"]`),
		chromedp.WaitVisible(`[data-testid="shared-question"]`),
		chromedp.Location(&location),
		chromedp.Text(`[data-testid="answer-text"]`, &shared),
	)
	if err != nil {
		t.Fatalf("sharing in the browser: %v", err)
	}
	if !strings.Contains(location, "/shared/") || !strings.Contains(shared, "always reimbursed") {
		t.Errorf("shared page %s shows %q", location, shared)
	}
}

// gatedModel is an OpenAI-compatible model (modeltest's) that answers only once release is
// called (or after a minute): what a reader sees before it is what they see at once.
func gatedModel(t *testing.T) (url string, release func()) {
	t.Helper()
	model := modeltest.New(t)
	gate := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-time.After(time.Minute):
		case <-r.Context().Done():
			return
		}
		model.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	return ts.URL + "/v1", release
}

// TestStreamedCuratedAnswerComesFirst: the answer stream sends the curated answer as its first
// event, while the model has not yet answered (it waits until the test has read that event),
// with the same fields as in the final response; a reader outside its groups gets no such event.
func TestStreamedCuratedAnswerComesFirst(t *testing.T) {
	t.Parallel()
	llm, release := gatedModel(t)
	ts, _ := setupServer(t, proxied(), llm)
	id := createCurated(t, ts.URL, taxiCurated)

	stream := func(headers map[string]string, onFirst func(name, data string)) []string {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/api/ask", strings.NewReader(`{"question": "is a taxi home after a client dinner reimbursed"}`))
		req.Header.Set("Accept", "text/event-stream")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var names []string
		var name string
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = line[7:]
			case strings.HasPrefix(line, "data: "):
				if len(names) == 0 {
					onFirst(name, line[6:])
				}
				names = append(names, name)
			}
		}
		return names
	}

	var first struct {
		Curated *struct {
			ID     int64
			Owner  string
			Answer string
		} `json:"curated"`
		Blocks []struct{ Kind string } `json:"curated_blocks"`
	}
	names := stream(as("bo", "staff"), func(name, data string) {
		if name != "curated" {
			t.Errorf("first event %q %s, want the curated answer", name, data)
		} else if err := json.Unmarshal([]byte(data), &first); err != nil {
			t.Errorf("curated event %s: %v", data, err)
		}
		release() // only now may the model answer
	})
	if first.Curated == nil || first.Curated.ID != id || first.Curated.Owner != "travel team" || !strings.Contains(first.Curated.Answer, "9 pm") || len(first.Blocks) == 0 {
		t.Errorf("curated event: %+v", first)
	}
	if len(names) < 3 || names[1] != "token" || names[len(names)-1] != "answer" || slices.Contains(names[1:], "curated") {
		t.Errorf("events %v: want curated, then tokens, then the answer", names)
	}
	// A reader outside its groups: the generated answer only, nothing that says one exists.
	names = stream(as("cy", "sales"), func(name, data string) {
		if strings.Contains(data, "travel team") {
			t.Errorf("a reader outside the curated answer's groups got %s %s", name, data)
		}
	})
	if slices.Contains(names, "curated") || len(names) == 0 || names[len(names)-1] != "answer" {
		t.Errorf("events for a reader outside its groups: %v", names)
	}
}

// TestBrowserCuratedShownBeforeTheAnswer: in Chromium, the curated answer shows while the
// generated answer is still being composed (the model is held back until it is seen).
func TestBrowserCuratedShownBeforeTheAnswer(t *testing.T) {
	t.Parallel()
	llm, release := gatedModel(t)
	ts, _ := setupServer(t, proxied(), llm)
	createCurated(t, ts.URL, taxiCurated)
	bctx := browser(t)
	var label, busy, answerText string
	err := chromedp.Run(bctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "staff"}),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, "is a taxi home after a client dinner reimbursed?\n"),
		chromedp.WaitVisible(`[data-testid="curated-label"]`),
		chromedp.Text(`[data-testid="curated-label"]`, &label),
		chromedp.AttributeValue(`#answer`, "aria-busy", &busy, nil),
		chromedp.Text(`#answer [data-testid="answer-text"]`, &answerText),
	)
	if err != nil {
		t.Fatalf("asking in the browser: %v", err)
	}
	if !strings.HasPrefix(label, "Curated answer · travel team") || busy != "true" || strings.TrimSpace(answerText) != "" {
		t.Errorf("before the model answered: curated %q, answer busy %q with %q", label, busy, answerText)
	}
	release()
	var curatedAfter string
	err = chromedp.Run(bctx,
		chromedp.WaitVisible(`#answer[aria-busy="false"]`, chromedp.ByQuery),
		chromedp.Text(`#answer [data-testid="answer-text"]`, &answerText),
		chromedp.Text(`[data-testid="curated-text"]`, &curatedAfter),
	)
	if err != nil {
		t.Fatalf("waiting for the answer: %v", err)
	}
	if !strings.Contains(answerText, "The answer is in the documents") || !strings.Contains(curatedAfter, "9 pm") {
		t.Errorf("after the model answered: answer %q, curated %q", answerText, curatedAfter)
	}
}
