package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/docent-search/docent/web"
)

const (
	answerable   = "is a taxi home after a client dinner reimbursed?"
	unanswerable = "what is the capital of Peru?"
)

// askAs asks through the API as user and returns the conversation and turn of the answer.
func askAs(t *testing.T, base, user, question, conversation string) (string, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"question": question, "conversation": conversation})
	status, resp := do(t, "POST", base+"/api/ask", string(body), map[string]string{"X-Forwarded-User": user, "X-Forwarded-Groups": "staff"})
	if status != http.StatusOK {
		t.Fatalf("ask as %s: status %d, %s", user, status, resp)
	}
	var out struct {
		Conversation string `json:"conversation"`
		Turn         int    `json:"turn"`
	}
	if err := json.Unmarshal([]byte(resp), &out); err != nil {
		t.Fatal(err)
	}
	return out.Conversation, out.Turn
}

func TestFeedbackOnOwnAnswers(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, proxied(), "")
	conv, turn := askAs(t, ts.URL, "ann", answerable, "")
	if turn != 1 {
		t.Errorf("first answer: turn %d, want 1", turn)
	}
	again, turn := askAs(t, ts.URL, "ann", "and is the receipt needed?", conv)
	if again != conv || turn != 2 {
		t.Errorf("follow-up: conversation %q turn %d, want %q turn 2", again, turn, conv)
	}
	rate := func(user, body string) (int, string) {
		return do(t, "POST", ts.URL+"/api/feedback", body, map[string]string{"X-Forwarded-User": user, "X-Forwarded-Groups": "staff"})
	}

	status, body := rate("ann", `{"conversation":"`+conv+`","turn":1,"rating":"down","reason":"incomplete","comment":"Which receipt?"}`)
	var created struct{ ID int64 }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &created) != nil || created.ID == 0 {
		t.Fatalf("feedback on own answer: status %d, %s; want 201 {\"id\"}", status, body)
	}
	var owner, rating, reason, comment, question, ans, mode, model string
	var found bool
	var citations []map[string]any
	err := srv.Pool.QueryRow(context.Background(), `SELECT owner, rating, reason, comment, question, answer, found, citations, mode, model
		FROM feedback WHERE id = $1`, created.ID).Scan(&owner, &rating, &reason, &comment, &question, &ans, &found, &citations, &mode, &model)
	if err != nil {
		t.Fatal(err)
	}
	if owner != "ann" || rating != "down" || reason != "incomplete" || comment != "Which receipt?" || question != answerable ||
		!found || !strings.Contains(ans, "taxi") || mode != "extractive" || model != "extractive" {
		t.Errorf("stored feedback: %q %q %q %q %q %q found=%v %q %q", owner, rating, reason, comment, question, ans, found, mode, model)
	}
	if len(citations) == 0 || citations[0]["document"] != "travel.md" || citations[0]["score"] == nil {
		t.Errorf("stored citations: %v, want travel.md with its score", citations)
	}
	// A second rating of the same answer replaces the first.
	status, body = rate("ann", `{"conversation":"`+conv+`","turn":1,"rating":"up"}`)
	var replaced struct{ ID int64 }
	json.Unmarshal([]byte(body), &replaced)
	if status != http.StatusCreated || replaced.ID != created.ID {
		t.Errorf("rating again: status %d, %s; want 201 with id %d", status, body, created.ID)
	}

	status, body = rate("bo", `{"conversation":"`+conv+`","turn":1,"rating":"up"}`)
	if status != http.StatusForbidden {
		t.Errorf("feedback on another user's conversation: status %d, %s; want 403", status, body)
	}
	for _, c := range []struct{ body, field string }{
		{`{"conversation":"` + conv + `","turn":1,"rating":"meh"}`, "rating"},
		{`{"conversation":"` + conv + `","turn":1,"rating":"down","reason":"boring"}`, "reason"},
		{`{"conversation":"` + conv + `","turn":0,"rating":"up"}`, "turn"},
		{`{"turn":1,"rating":"up"}`, "conversation"},
		{`{"conversation":"` + conv + `","turn":1,"rating":"up","comment":"` + strings.Repeat("x", 2001) + `"}`, "comment"},
		{`{"conversation":"` + conv + `","turn":1,"rating":"up","stars":5}`, "stars"},
	} {
		status, body := rate("ann", c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, c.field) {
			t.Errorf("%.80s: status %d, %s; want 400 naming %s", c.body, status, body, c.field)
		}
	}
	if status, body := rate("ann", `{"conversation":"`+conv+`","turn":3,"rating":"up"}`); status != http.StatusNotFound {
		t.Errorf("feedback on a turn not asked: status %d, %s; want 404", status, body)
	}
}

// The form under an answer works without JavaScript: it posts, then goes back to the page.
func TestFeedbackFormWithoutJavaScript(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, proxied(), "")
	ann := map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "staff"}
	status, page := do(t, "GET", ts.URL+"/?q="+url.QueryEscape(answerable), "", ann)
	if status != http.StatusOK {
		t.Fatalf("asking in the page: status %d", status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	form := doc.Find(`form[data-testid="feedback"]`)
	conv, _ := form.Find(`input[name="conversation"]`).Attr("value")
	turn, _ := form.Find(`input[name="turn"]`).Attr("value")
	if _, hidden := form.Attr("hidden"); hidden || form.AttrOr("action", "") != "/feedback" || conv == "" || turn != "1" {
		t.Fatalf("feedback form: hidden=%v action=%q conversation=%q turn=%q", hidden, form.AttrOr("action", ""), conv, turn)
	}
	if form.Find(`option[value="outdated"]`).Length() != 1 || form.Find(`button[name="rating"][value="down"]`).Length() != 1 {
		t.Error("the form lacks the reasons or the 👎 button")
	}
	// Each button names its choice in words; the emoji is decoration.
	for testid, want := range map[string]string{"rate-up": "Yes", "rate-down": "No"} {
		b := form.Find(`button[data-testid="` + testid + `"]`)
		if words := strings.TrimSpace(b.Clone().ChildrenFiltered(`[aria-hidden="true"]`).Remove().End().Text()); words != want {
			t.Errorf("%s button reads %q to a screen reader, want %q", testid, words, want)
		}
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(user string, values url.Values) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL+"/feedback", strings.NewReader(values.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-User", user)
		req.Header.Set("X-Forwarded-Groups", "staff")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post("ann", url.Values{"conversation": {conv}, "turn": {turn}, "rating": {"down"}, "reason": {"outdated"}, "comment": {"Since March it is 10 pm."}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/?") || !strings.Contains(resp.Header.Get("Location"), "c="+conv) {
		t.Fatalf("form post: status %d, Location %q; want 303 back to the page", resp.StatusCode, resp.Header.Get("Location"))
	}
	var reason, comment string
	if err := srv.Pool.QueryRow(context.Background(), `SELECT reason, comment FROM feedback WHERE conversation = $1 AND turn = 1 AND rating = 'down'`, conv).
		Scan(&reason, &comment); err != nil || reason != "outdated" || comment != "Since March it is 10 pm." {
		t.Errorf("form feedback stored: %q %q, %v", reason, comment, err)
	}
	_, back := do(t, "GET", ts.URL+resp.Header.Get("Location"), "", ann)
	if !strings.Contains(back, `data-testid="rated"`) {
		t.Error("the page gone back to does not confirm the feedback")
	}
	if resp := post("bo", url.Values{"conversation": {conv}, "turn": {turn}, "rating": {"up"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form post on another user's conversation: status %d, want 403", resp.StatusCode)
	}
	if resp := post("ann", url.Values{"conversation": {conv}, "turn": {"x"}, "rating": {"up"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("form post with a bad turn: status %d, want 400", resp.StatusCode)
	}
}

func TestQueryLogRecordsOutcomesWithPseudonyms(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, proxied(), "")
	askAs(t, ts.URL, "ann", answerable, "")
	askAs(t, ts.URL, "ann", unanswerable, "")
	askAs(t, ts.URL, "bo", answerable, "")
	rows, err := srv.Pool.Query(context.Background(), `SELECT asker, channel, question, outcome, latency_ms, documents FROM query_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type entry struct {
		asker, channel, question, outcome string
		latency                           int
		docs                              []map[string]string
	}
	var got []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.asker, &e.channel, &e.question, &e.outcome, &e.latency, &e.docs); err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 3 {
		t.Fatalf("%d query log entries for 3 questions", len(got))
	}
	if got[0].outcome != "answered" || got[1].outcome != "declined" || got[2].outcome != "answered" {
		t.Errorf("outcomes %q %q %q, want answered declined answered", got[0].outcome, got[1].outcome, got[2].outcome)
	}
	if got[0].question != answerable || got[0].channel != "api" || got[0].latency < 0 {
		t.Errorf("first entry: %+v", got[0])
	}
	if len(got[0].docs) == 0 || got[0].docs[0]["document"] != "travel.md" {
		t.Errorf("answered question's top documents: %v, want travel.md first", got[0].docs)
	}
	if got[0].asker != got[1].asker || got[0].asker == got[2].asker || got[0].asker == "ann" || got[2].asker == "bo" {
		t.Errorf("askers %q %q %q: want ann's two the same pseudonym, bo's another", got[0].asker, got[1].asker, got[2].asker)
	}
	// The page logs its questions too.
	do(t, "GET", ts.URL+"/?q="+url.QueryEscape(unanswerable), "", map[string]string{"X-Forwarded-User": "ann", "X-Forwarded-Groups": "staff"})
	var channel, outcome string
	if err := srv.Pool.QueryRow(context.Background(), `SELECT channel, outcome FROM query_log ORDER BY id DESC LIMIT 1`).Scan(&channel, &outcome); err != nil ||
		channel != "page" || outcome != "declined" {
		t.Errorf("the page's question logged as %q %q, %v", channel, outcome, err)
	}
}

// In Chromium, the form under a streamed answer rates that answer: the page's script fills in
// its conversation and turn.
func TestBrowserThumbsDownWithAReason(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, web.Identity{AdminGroup: "docent-admins"}, "")
	bctx := browser(t)
	var rated string
	err := chromedp.Run(bctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`[data-testid="question"]`),
		chromedp.SendKeys(`[data-testid="question"]`, answerable+"\n"),
		// Once the answer is complete, the layout no longer moves under the clicks.
		chromedp.WaitVisible(`#answer[aria-busy="false"] [data-testid="feedback"]`),
		chromedp.Click(`[data-testid="feedback"] summary`),
		chromedp.WaitVisible(`[data-testid="feedback-comment"]`),
		chromedp.SetValue(`[data-testid="feedback-reason"]`, "wrong"),
		chromedp.SendKeys(`[data-testid="feedback-comment"]`, "The limit is 10 pm now."),
		chromedp.Click(`[data-testid="rate-down"]`),
		chromedp.WaitVisible(`[data-testid="rated"]`),
		chromedp.Text(`[data-testid="rated"]`, &rated),
	)
	if err != nil {
		t.Fatalf("rating in the browser: %v", err)
	}
	var turn int
	var rating, reason, comment, question string
	if err := srv.Pool.QueryRow(context.Background(), `SELECT turn, rating, reason, comment, question FROM feedback`).
		Scan(&turn, &rating, &reason, &comment, &question); err != nil {
		t.Fatalf("no feedback stored: %v", err)
	}
	if turn != 1 || rating != "down" || reason != "wrong" || comment != "The limit is 10 pm now." || question != answerable {
		t.Errorf("stored: turn %d %q %q %q %q", turn, rating, reason, comment, question)
	}
	if !strings.Contains(rated, "Thank you") {
		t.Errorf("after rating the page says %q", rated)
	}
	var channel, outcome string
	if err := srv.Pool.QueryRow(context.Background(), `SELECT channel, outcome FROM query_log`).Scan(&channel, &outcome); err != nil ||
		channel != "page" || outcome != "answered" {
		t.Errorf("the page's streamed question logged as %q %q, %v; want page answered", channel, outcome, err)
	}
}
