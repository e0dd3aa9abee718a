package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/docent-search/docent/web"
)

var (
	asAdmin  = map[string]string{"X-Forwarded-User": "root", "X-Forwarded-Groups": "docent-admins"}
	asReader = map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "staff"}
)

type gapJSON struct {
	ID         int64    `json:"id"`
	Size       int      `json:"size"`
	Status     string   `json:"status"`
	Owner      string   `json:"owner"`
	Questions  []string `json:"questions"`
	AskedBy    []string `json:"asked_by"`
	Closest    []struct{ Source, Document string }
	Resolution *struct{ Kind, Source, Document string }
}

// waitForGap polls GET /api/insights/gaps until a gap holds question, for at most the 30
// seconds the page promises.
func waitForGap(t *testing.T, base, question string) gapJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := do(t, "GET", base+"/api/insights/gaps", "", asAdmin)
		var out struct{ Gaps []gapJSON }
		if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("/api/insights/gaps: %d %.300s", status, body)
		}
		for _, g := range out.Gaps {
			if slices.Contains(g.Questions, question) {
				return g
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q is in no gap after 30 s: %s", question, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestInsightsAPI(t *testing.T) {
	t.Parallel()
	ts, _ := setupServer(t, proxied(), "")
	conv, turn := askAs(t, ts.URL, "ann", answerable, "")
	askAs(t, ts.URL, "ann", unanswerable, "")
	askAs(t, ts.URL, "bo", "what is the capital city of Peru", "")
	if status, body := do(t, "POST", ts.URL+"/api/feedback", `{"conversation":"`+conv+`","turn":`+strconv.Itoa(turn)+`,"rating":"up"}`, asReader); status != http.StatusCreated {
		t.Fatalf("rating: %d %s", status, body)
	}

	// Readers get neither the figures nor the gaps, nor may they change one.
	for _, path := range []string{"/api/insights", "/api/insights/gaps", "/admin/insights"} {
		if status, _ := do(t, "GET", ts.URL+path, "", asReader); status != http.StatusForbidden {
			t.Errorf("%s for a reader: %d, want 403", path, status)
		}
	}
	if status, _ := do(t, "POST", ts.URL+"/api/insights/gaps/1", `{"status":"open"}`, asReader); status != http.StatusForbidden {
		t.Errorf("changing a gap as a reader: %d, want 403", status)
	}

	status, body := do(t, "GET", ts.URL+"/api/insights?days=7", "", asAdmin)
	var rep struct {
		Days, Questions int
		PerDay          []map[string]any `json:"per_day"`
		Answered        float64          `json:"answered_share"`
		Declined        float64          `json:"declined_share"`
		Up              int              `json:"thumbs_up"`
		UpShare         float64          `json:"thumbs_up_share"`
		Slowest         []map[string]any
		OpenGaps        int   `json:"open_gaps"`
		Expired         []any `json:"expired_curated"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("/api/insights: %d %.300s", status, body)
	}
	if rep.Days != 7 || len(rep.PerDay) != 7 || rep.Questions != 3 || rep.Answered < 0.33 || rep.Answered > 0.34 ||
		rep.Declined < 0.66 || rep.Up != 1 || rep.UpShare != 1 || len(rep.Slowest) != 3 || rep.Expired == nil {
		t.Errorf("/api/insights: %s", body)
	}
	if status, body := do(t, "GET", ts.URL+"/api/insights?days=365", "", asAdmin); status != http.StatusBadRequest || !strings.Contains(body, "days") {
		t.Errorf("days=365: %d %s, want 400 naming days", status, body)
	}

	// Both declined questions about Peru are one gap; who asked is shown only as pseudonyms.
	// The later question is waited for: questions are grouped in the order they were asked, a
	// few seconds after, so for a moment the gap can hold the earlier one alone.
	waitForGap(t, ts.URL, "what is the capital city of Peru")
	g := waitForGap(t, ts.URL, unanswerable)
	if g.Size != 2 || g.Status != "open" || !slices.Contains(g.Questions, "what is the capital city of Peru") {
		t.Errorf("gap %+v: want both Peru questions, open", g)
	}
	if len(g.AskedBy) != 2 || slices.Contains(g.AskedBy, "ann") || !strings.HasPrefix(g.AskedBy[0], "u-") {
		t.Errorf("asked by %v: want two pseudonyms, no names", g.AskedBy)
	}
	gapURL := ts.URL + "/api/insights/gaps/" + strconv.FormatInt(g.ID, 10)
	for _, c := range []struct{ body, field string }{
		{`{"status":"closed"}`, "status"},
		{`{"status":"assigned"}`, "owner"},
		{`{"status":"resolved","resolution":{"kind":"document","source":"docs","document":"hr/budget.md"}}`, "resolution.document"},
		{`{"status":"open","priority":1}`, "priority"},
	} {
		if status, body := do(t, "POST", gapURL, c.body, asAdmin); status != http.StatusBadRequest || !strings.Contains(body, c.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.body, status, body, c.field)
		}
	}
	if status, _ := do(t, "POST", ts.URL+"/api/insights/gaps/999999", `{"status":"open"}`, asAdmin); status != http.StatusNotFound {
		t.Errorf("changing a gap that does not exist: %d, want 404", status)
	}
	if status, body := do(t, "POST", gapURL, `{"status":"assigned","owner":"geo-team"}`, asAdmin); status != http.StatusOK || !strings.Contains(body, `"owner":"geo-team"`) {
		t.Fatalf("assigning: %d %s", status, body)
	}
	if status, body := do(t, "POST", gapURL, `{"status":"resolved","owner":"geo-team","resolution":{"kind":"document","source":"docs","document":"travel.md"}}`, asAdmin); status != http.StatusOK {
		t.Fatalf("resolving: %d %s", status, body)
	}
	status, body = do(t, "GET", ts.URL+"/api/insights/gaps?status=resolved", "", asAdmin)
	var resolved struct{ Gaps []gapJSON }
	json.Unmarshal([]byte(body), &resolved)
	if status != http.StatusOK || len(resolved.Gaps) != 1 || resolved.Gaps[0].ID != g.ID || resolved.Gaps[0].Owner != "geo-team" ||
		resolved.Gaps[0].Resolution == nil || resolved.Gaps[0].Resolution.Document != "travel.md" {
		t.Errorf("resolved gaps: %d %s", status, body)
	}
	// Every change is in the audit log, with who made it.
	_, body = do(t, "GET", ts.URL+"/api/audit", "", asAdmin)
	if !strings.Contains(body, `"action":"gap assigned"`) || !strings.Contains(body, `"action":"gap resolved"`) || !strings.Contains(body, `"actor":"root"`) {
		t.Errorf("audit log: %.500s", body)
	}
}

// The form under a gap works without JavaScript: it posts, then goes back to the page.
func TestInsightsPageAndGapForm(t *testing.T) {
	t.Parallel()
	ts, _ := setupServer(t, proxied(), "")
	askAs(t, ts.URL, "ann", unanswerable, "")
	g := waitForGap(t, ts.URL, unanswerable)
	status, page := do(t, "GET", ts.URL+"/admin/insights?days=30", "", asAdmin)
	if status != http.StatusOK {
		t.Fatalf("/admin/insights: %d", status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"chart-days", "chart-outcomes", "chart-thumbs", "chart-slowest"} {
		svg := doc.Find(`[data-testid="` + id + `"] svg[role="img"]`)
		if svg.Length() != 1 || svg.Find("desc").Length() != 1 || svg.AttrOr("aria-labelledby", "") == "" {
			t.Errorf("chart %s: want one labelled SVG with a description", id)
		}
	}
	if doc.Find(`[data-testid="chart-days"] rect`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid="chart-days"] rect title`).Text(), "1 declined") {
		t.Errorf("questions per day: %q", doc.Find(`[data-testid="chart-days"]`).Text())
	}
	if doc.Find(`script`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.AttrOr("src", "") != "/static/app.js" }).Length() != 0 {
		t.Error("the insights page loads a script other than the app's own")
	}
	gap := doc.Find(`[data-testid="gap"][data-gap="` + strconv.FormatInt(g.ID, 10) + `"]`)
	if !strings.Contains(gap.Find(`[data-testid="gap-questions"]`).Text(), unanswerable) || gap.AttrOr("data-status", "") != "open" {
		t.Errorf("gap on the page: %q", gap.Text())
	}
	form := url.Values{"status": {"assigned"}, "owner": {"geo-team"}, "days": {"30"}}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(values url.Values) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/admin/insights/gaps/"+strconv.FormatInt(g.ID, 10), strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range asAdmin {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post(form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "docent_notice=") {
		t.Fatalf("form post: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if g := waitForGap(t, ts.URL, unanswerable); g.Status != "assigned" || g.Owner != "geo-team" {
		t.Errorf("after the form: %+v", g)
	}
	// A mistake is the page with the error and a 4xx; nothing changes.
	resp = post(url.Values{"status": {"resolved"}, "resolution": {"document"}, "document": {"docs:no-such.md"}})
	if resp.StatusCode/100 != 4 || resp.Header.Get("Location") != "" {
		t.Errorf("bad form post: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if g := waitForGap(t, ts.URL, unanswerable); g.Status != "assigned" {
		t.Errorf("a refused change changed the gap: %+v", g)
	}
	// The admin page links the insights.
	if _, page := do(t, "GET", ts.URL+"/admin", "", asAdmin); !strings.Contains(page, `href="/admin/insights"`) {
		t.Error("the admin page does not link the insights")
	}
}

// seedHistory writes five days of questions and ratings, as if asked, so the charts and the
// screenshot show what they are for.
func seedHistory(t *testing.T, srv *web.Server) {
	t.Helper()
	asked := []struct {
		question, outcome string
		ms                int
	}{
		{"is a taxi home after a client dinner reimbursed", "answered", 180},
		{"do I need to keep the taxi receipt", "answered", 240},
		{"how do I book a parking space at the office", "declined", 310},
		{"what is the guest wifi password", "declined", 150},
		{"can I expense a taxi after a late dinner with a client", "answered", 420},
		{"can I book a parking space for my car", "declined", 290},
		{"what is the wifi password for visitors", "declined", 170},
		{"are taxis reimbursed after 9 pm", "answered", 130},
		{"where do I book parking at the office", "declined", 380},
		{"who pays for a taxi home after a client event", "answered", 610},
	}
	ctx := context.Background()
	for i, q := range asked {
		for day := range 5 {
			if (i+day)%3 == 0 {
				continue
			}
			if _, err := srv.Pool.Exec(ctx, `INSERT INTO query_log (at, channel, question, outcome, latency_ms)
				VALUES (now() - make_interval(days => $1, mins => $2), 'page', $3, $4, $5)`, 5-day, i, q.question, q.outcome, q.ms+day*20); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, rating := range []string{"up", "up", "up", "down", "up"} {
		if _, err := srv.Pool.Exec(ctx, `INSERT INTO feedback (at, owner, conversation, turn, rating, question, answer, found, citations, mode, model)
			VALUES (now() - make_interval(days => $1), 'ann', $2, 1, $3, $4, 'an answer', true, '[]', 'extractive', 'extractive')`,
			i, "seeded-"+strconv.Itoa(i), rating, asked[i].question); err != nil {
			t.Fatal(err)
		}
	}
}

// In Chromium: a question the documents do not answer, asked in the page, shows as a gap on
// the insights page; the charts follow dark mode. The screenshot goes to
// $TMPDIR/docent-screenshots/insights.png; with DOCENT_UPDATE_SCREENSHOTS=1 it also replaces
// docs/insights.png (README's), so `DOCENT_UPDATE_SCREENSHOTS=1 go test ./web -run
// TestBrowserInsights` remakes it.
func TestBrowserInsights(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, web.Identity{AdminGroup: "docent-admins"}, "")
	seedHistory(t, srv)
	bctx := browser(t)
	declined := "who approves a sabbatical request?"
	err := chromedp.Run(bctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, declined+"\n"),
		chromedp.WaitVisible(`#answer[aria-busy="false"]`),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, answerable+"\n"),
		chromedp.WaitVisible(`#answer[aria-busy="false"] [data-testid="feedback"]`),
	)
	if err != nil {
		t.Fatalf("asking in the browser: %v", err)
	}
	var gaps string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(gaps, declined) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s the insights page lists no gap with %q: %q", declined, gaps)
		}
		time.Sleep(500 * time.Millisecond)
		if err := chromedp.Run(bctx, chromedp.Navigate(ts.URL+"/admin/insights?days=7"), chromedp.WaitVisible(`[data-testid="insights-summary"]`),
			chromedp.Evaluate(`[...document.querySelectorAll('[data-testid="gap"]')].map(e => e.textContent).join(" | ")`, &gaps)); err != nil {
			t.Fatal(err)
		}
	}
	// Assign the gap from its form, as an admin does in the browser.
	gap := `//section[@data-testid="gap"][.//li[text()="` + declined + `"]]`
	var status, notice string
	err = chromedp.Run(bctx,
		chromedp.Click(gap+`//summary`, chromedp.BySearch),
		chromedp.SetValue(gap+`//select[@name="status"]`, "assigned", chromedp.BySearch),
		chromedp.SendKeys(gap+`//input[@name="owner"]`, "people-team", chromedp.BySearch),
		chromedp.Click(gap+`//button[@data-testid="gap-save"]`, chromedp.BySearch),
		chromedp.WaitVisible(`p.notice`),
		chromedp.Text(`p.notice`, &notice),
		chromedp.AttributeValue(gap, "data-status", &status, nil, chromedp.BySearch),
	)
	if err != nil {
		t.Fatalf("assigning the gap in the browser: %v", err)
	}
	if status != "assigned" || !strings.Contains(notice, "now assigned") {
		t.Errorf("after the form: status %q, notice %q", status, notice)
	}
	var png []byte
	var lightFill, darkFill string
	fill := `getComputedStyle(document.querySelector('[data-testid="chart-days"] rect.answered')).fill`
	err = chromedp.Run(bctx,
		chromedp.Evaluate(fill, &lightFill),
		chromedp.FullScreenshot(&png, 100),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}),
		chromedp.Evaluate(fill, &darkFill),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if lightFill == "" || lightFill == darkFill {
		t.Errorf("chart colours light %q, dark %q: want them to follow the colour scheme", lightFill, darkFill)
	}
	shots := filepath.Join(os.TempDir(), "docent-screenshots")
	os.MkdirAll(shots, 0o755)
	if err := os.WriteFile(filepath.Join(shots, "insights.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("DOCENT_UPDATE_SCREENSHOTS") == "1" {
		if err := os.WriteFile("../docs/insights.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInsightsFlagExpiredCurated: a curated answer past its review-by date is listed on the
// insights page and in /api/insights; one still in date is not.
func TestInsightsFlagExpiredCurated(t *testing.T) {
	t.Parallel()
	ts, _ := setupServer(t, proxied(), "")
	due := createCurated(t, ts.URL, `{"question": "Where do I park my bike?", "answer": "In the yard.", "owner": "facilities", "review_by": "2001-01-31"}`)
	createCurated(t, ts.URL, `{"question": "When does the canteen open?", "answer": "At 11.", "owner": "kitchen", "review_by": "2099-12-31"}`)

	status, body := do(t, "GET", ts.URL+"/api/insights", "", asAdmin)
	var rep struct {
		Expired []struct {
			ID       int64
			Owner    string
			ReviewBy string `json:"review_by"`
		} `json:"expired_curated"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("/api/insights: %d %.300s", status, body)
	}
	if len(rep.Expired) != 1 || rep.Expired[0].ID != due || rep.Expired[0].Owner != "facilities" || rep.Expired[0].ReviewBy != "2001-01-31" {
		t.Errorf("expired_curated %+v: want only the bike answer (id %d), due 2001-01-31", rep.Expired, due)
	}
	status, page := do(t, "GET", ts.URL+"/admin/insights", "", asAdmin)
	if status != http.StatusOK || !strings.Contains(page, "Curated answers due for review") ||
		!strings.Contains(page, "Where do I park my bike?") || strings.Contains(page, "canteen") {
		t.Errorf("insights page (%d) does not flag exactly the overdue curated answer", status)
	}
}

// TestGapResolvedByCuratedAnswer: a gap resolved by a curated answer names it by the id of one
// that exists (400 naming resolution.curated otherwise, in the API and the form), and the page
// links to it under its question.
func TestGapResolvedByCuratedAnswer(t *testing.T) {
	t.Parallel()
	ts, _ := setupServer(t, proxied(), "")
	askAs(t, ts.URL, "ann", unanswerable, "")
	g := waitForGap(t, ts.URL, unanswerable)
	answer := createCurated(t, ts.URL, `{"question": "What is the capital of Peru?", "answer": "Lima.", "owner": "geo team", "review_by": "2099-12-31"}`)
	gapURL := ts.URL + "/api/insights/gaps/" + strconv.FormatInt(g.ID, 10)
	for _, body := range []string{
		`{"status":"resolved","resolution":{"kind":"curated"}}`,
		`{"status":"resolved","resolution":{"kind":"curated","curated":` + strconv.FormatInt(answer+1000, 10) + `}}`,
		`{"status":"resolved","resolution":{"kind":"curated","curated":"see the Peru answer"}}`,
	} {
		if status, resp := do(t, "POST", gapURL, body, asAdmin); status != http.StatusBadRequest || !strings.Contains(resp, "resolution.curated") {
			t.Errorf("%s: %d %s, want 400 naming resolution.curated", body, status, resp)
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", ts.URL+"/admin/insights/gaps/"+strconv.FormatInt(g.ID, 10),
		strings.NewReader(url.Values{"status": {"resolved"}, "resolution": {"curated"}, "curated": {"the Peru one"}, "days": {"30"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range asAdmin {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if page, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(page), "resolution.curated") {
		t.Errorf("the form with a curated answer that is not an id: %d, want 400 naming resolution.curated", resp.StatusCode)
	}
	if g := waitForGap(t, ts.URL, unanswerable); g.Status != "open" {
		t.Errorf("a refused change changed the gap: %+v", g)
	}

	status, body := do(t, "POST", gapURL, `{"status":"resolved","resolution":{"kind":"curated","curated":`+strconv.FormatInt(answer, 10)+`}}`, asAdmin)
	if status != http.StatusOK || !strings.Contains(body, `"curated":`+strconv.FormatInt(answer, 10)) || !strings.Contains(body, `"curated_label":"What is the capital of Peru?"`) {
		t.Fatalf("resolving by curated answer %d: %d %s", answer, status, body)
	}
	_, page := do(t, "GET", ts.URL+"/admin/insights?days=30", "", asAdmin)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	gap := doc.Find(`[data-testid="gap"][data-gap="` + strconv.FormatInt(g.ID, 10) + `"]`)
	link := gap.Find(`[data-testid="gap-resolved-curated"] a`)
	if href, _ := link.Attr("href"); href != "/admin/curated/"+strconv.FormatInt(answer, 10) || link.Text() != "What is the capital of Peru?" {
		t.Errorf("the resolved gap's link: %q %q", href, link.Text())
	}
	if v, _ := gap.Find(`[data-testid="gap-curated"]`).Attr("value"); v != strconv.FormatInt(answer, 10) {
		t.Errorf("the form's curated answer id: %q", v)
	}
	if doc.Find(`datalist#curated-answers option[value="`+strconv.FormatInt(answer, 10)+`"]`).AttrOr("label", "") != "What is the capital of Peru?" {
		t.Error("the form does not offer the curated answers")
	}
}
