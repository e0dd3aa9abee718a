package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/docent-search/docent/internal/modeltest"
)

func TestConversationsAreTheirOwners(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	conv, _ := askAs(t, ts.URL, "ann", answerable, "")
	askAs(t, ts.URL, "ann", "and is the receipt needed?", conv)
	other, _ := askAs(t, ts.URL, "bo", unanswerable, "")

	list := func(user string) []struct{ ID, Title, Updated string } {
		t.Helper()
		status, body := do(t, "GET", ts.URL+"/api/conversations", "", as(user, "staff"))
		var out struct {
			Conversations []struct{ ID, Title, Updated string }
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil || out.Conversations == nil {
			t.Fatalf("GET /api/conversations as %s: %d %s", user, status, body)
		}
		return out.Conversations
	}
	if got := list("ann"); len(got) != 1 || got[0].ID != conv || got[0].Title != answerable || got[0].Updated == "" {
		t.Errorf("ann's conversations: %+v; want hers, titled by its first question", got)
	}
	if got := list("bo"); len(got) != 1 || got[0].ID != other {
		t.Errorf("bo's conversations: %+v; want only his", got)
	}
	if got := list("cy"); len(got) != 0 {
		t.Errorf("cy, who asked nothing, lists %+v", got)
	}
	// Someone else's conversation can be neither read, reopened nor deleted.
	for _, req := range [][2]string{{"GET", "/api/conversations/" + conv}, {"DELETE", "/api/conversations/" + conv}} {
		if status, body := do(t, req[0], ts.URL+req[1], "", as("bo", "staff")); status != http.StatusForbidden || strings.Contains(body, "taxi") {
			t.Errorf("%s of ann's conversation by bo: %d %s; want 403", req[0], status, body)
		}
	}
	if status, _ := do(t, "POST", ts.URL+"/conversations/"+conv+"/delete", "", as("bo", "staff")); status != http.StatusForbidden {
		t.Errorf("deleting ann's conversation from the page as bo: %d, want 403", status)
	}
	_, page := do(t, "GET", ts.URL+"/?c="+conv, "", as("bo", "staff"))
	if strings.Contains(page, "receipt needed") || strings.Contains(page, `data-testid="turn"`) {
		t.Error("bo reopened ann's conversation")
	}
	if status, _ := do(t, "DELETE", ts.URL+"/api/conversations/nosuch", "", as("ann", "staff")); status != http.StatusNotFound {
		t.Errorf("deleting an unknown conversation: %d, want 404", status)
	}

	// Reopened by its owner: both answers, the list links to it.
	_, page = do(t, "GET", ts.URL+"/?c="+conv, "", as("ann", "staff"))
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if turns := doc.Find(`[data-testid=turn] .turn-question`).Map(func(_ int, s *goquery.Selection) string { return s.Text() }); len(turns) != 2 || turns[1] != "and is the receipt needed?" {
		t.Errorf("reopened conversation shows %q", turns)
	}
	_, listPage := do(t, "GET", ts.URL+"/conversations", "", as("ann", "staff"))
	if !strings.Contains(listPage, `href="/?c=`+conv+`"`) || strings.Contains(listPage, other) {
		t.Errorf("the conversations page does not list exactly ann's: %.400s", listPage)
	}
	if status, _ := do(t, "DELETE", ts.URL+"/api/conversations/"+conv, "", as("ann", "staff")); status != http.StatusNoContent {
		t.Errorf("deleting her own conversation: %d, want 204", status)
	}
	if got := list("ann"); len(got) != 0 {
		t.Errorf("after deleting, ann lists %+v", got)
	}
}

// shareFiles have a public and an HR page that both answer the taxi question.
var shareFiles = map[string]string{
	"travel.md":   "# Travel\n\n## Taxis\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed. Keep the receipt.\n",
	"hr/taxis.md": "# Executive taxis\n\nA taxi home after a client dinner is reimbursed for executives at any hour, booked with the limousine code LIMO-7.\n",
}

// shareServer serves shareFiles to the proxy's readers, answered by a stand-in model that
// replies reply.
func shareServer(t *testing.T, reply string) (*httptest.Server, *modeltest.Server) {
	t.Helper()
	llm := modeltest.New(t)
	llm.Reply = reply
	srv := newServerOver(t, llm.URL+"/v1", shareFiles)
	srv.Identity = proxied()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, llm
}

// citesBoth is the stand-in model's answer citing both of shareFiles' pages.
const citesBoth = "Yes, after 9 pm [1]. Executives at any hour, with the code LIMO-7 [2]."

// sharedByHR serves shareFiles answered by a stand-in model that cites both pages, and returns
// the link ann, in HR, made to her answer.
func sharedByHR(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	ts, _ := shareServer(t, citesBoth)
	status, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`, as("ann", "staff,hr"))
	var a struct {
		Conversation string
		Turn         int
		Citations    []struct{ Document string }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || len(a.Citations) != 2 {
		t.Fatalf("ann's answer: %d %s; want both pages cited", status, body)
	}
	share := `{"conversation": "` + a.Conversation + `", "turn": 1}`
	if status, _ := do(t, "POST", ts.URL+"/api/share", share, as("bo", "staff")); status != http.StatusForbidden {
		t.Errorf("bo sharing ann's answer: %d, want 403", status)
	}
	return ts, shareTurn(t, ts.URL, a.Conversation, 1, as("ann", "staff,hr"))
}

// shareTurn makes, as who, a link to turn of conversation and returns its path (/shared/ID).
func shareTurn(t *testing.T, base, conversation string, turn int, who map[string]string) string {
	t.Helper()
	status, body := do(t, "POST", base+"/api/share", fmt.Sprintf(`{"conversation": %q, "turn": %d}`, conversation, turn), who)
	var link struct{ ID, URL string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &link) != nil || link.URL != "/shared/"+link.ID {
		t.Fatalf("sharing turn %d: %d %s", turn, status, body)
	}
	return link.URL
}

func TestSharedAnswerIsRecheckedForTheViewer(t *testing.T) {
	t.Parallel()
	ts, link := sharedByHR(t)
	view := func(user, groups string) (struct {
		Answer struct {
			Answer    string
			Citations []struct{ Document string }
			Hidden    int
			Withheld  bool
		}
	}, string) {
		t.Helper()
		var v struct {
			Answer struct {
				Answer    string
				Citations []struct{ Document string }
				Hidden    int
				Withheld  bool
			}
		}
		status, body := do(t, "GET", ts.URL+"/api"+link, "", as(user, groups))
		if status != http.StatusOK || json.Unmarshal([]byte(body), &v) != nil {
			t.Fatalf("GET /api%s as %s: %d %s", link, user, status, body)
		}
		return v, body
	}
	if v, _ := view("dee", "hr"); v.Answer.Withheld || v.Answer.Hidden != 0 || len(v.Answer.Citations) != 2 || !strings.Contains(v.Answer.Answer, "LIMO-7") {
		t.Errorf("an HR viewer sees %+v; want the whole answer", v.Answer)
	}
	v, raw := view("bo", "staff")
	if !v.Answer.Withheld || v.Answer.Hidden != 1 || len(v.Answer.Citations) != 1 || v.Answer.Citations[0].Document != "travel.md" {
		t.Errorf("a staff viewer sees %+v; want the public citation only, one hidden, the text withheld", v.Answer)
	}
	for _, leak := range []string{"LIMO-7", "hr/taxis.md", "Executive"} {
		if strings.Contains(raw, leak) {
			t.Errorf("the shared answer shows %q to a viewer outside HR: %s", leak, raw)
		}
	}
	if status, _ := do(t, "GET", ts.URL+"/shared/0123456789abcdef", "", as("bo", "staff")); status != http.StatusNotFound {
		t.Errorf("an unknown link: %d, want 404", status)
	}
}

// TestBrowserSharedLinkForAnotherGroup: a reader outside HR opens, in Chromium, a link to an
// answer an HR reader shared: the HR citation is dropped with a note, and so is the text that
// drew on it.
func TestBrowserSharedLinkForAnotherGroup(t *testing.T) {
	t.Parallel()
	ts, link := sharedByHR(t)
	bctx := browser(t)
	var note, withheld, sources, page string
	err := chromedp.Run(bctx,
		network.Enable(),
		network.SetExtraHTTPHeaders(network.Headers{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "staff"}),
		chromedp.Navigate(ts.URL+link),
		chromedp.WaitVisible(`[data-testid="hidden-note"]`),
		chromedp.Text(`[data-testid="hidden-note"]`, &note),
		chromedp.Text(`[data-testid="withheld"]`, &withheld),
		chromedp.Text(`[data-testid="sources"]`, &sources),
		chromedp.Text(`main`, &page),
	)
	if err != nil {
		t.Fatalf("opening the shared link: %v", err)
	}
	if !strings.Contains(note, "1 cited document is outside your groups") || !strings.Contains(withheld, "text is not shown") {
		t.Errorf("notes: %q, %q", note, withheld)
	}
	if !strings.Contains(sources, "travel.md") || strings.Contains(page, "LIMO-7") || strings.Contains(page, "hr/taxis.md") {
		t.Errorf("sources %q; page %q", sources, page)
	}
	// The viewer can ask the question for themselves from the note.
	var href string
	var ok bool
	if err := chromedp.Run(bctx, chromedp.AttributeValue(`[data-testid="withheld"] a`, "href", &href, &ok)); err != nil || href != "/?q="+url.QueryEscape("is a taxi home after a client dinner reimbursed?") {
		t.Errorf("ask-yourself link %q (%v)", href, err)
	}
}

// TestSharedDeclinedAnswerHidesClosestDocuments: a declined answer lists the closest
// documents, the asker's; a link to it shows a viewer only those they may read, in the page
// and the JSON, snippets included.
func TestSharedDeclinedAnswerHidesClosestDocuments(t *testing.T) {
	t.Parallel()
	ts, _ := shareServer(t, citesBoth)
	status, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "what helicopter allowance do executives get?"}`, as("ann", "staff,hr"))
	var a struct {
		Found        bool
		Conversation string
		Closest      []struct{ Document string }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || a.Found ||
		!slices.ContainsFunc(a.Closest, func(c struct{ Document string }) bool { return c.Document == "hr/taxis.md" }) {
		t.Fatalf("ann's answer: %d %s; want it declined with the HR page among the closest", status, body)
	}
	link := shareTurn(t, ts.URL, a.Conversation, 1, as("ann", "staff,hr"))
	for _, path := range []string{link, "/api" + link} {
		status, body := do(t, "GET", ts.URL+path, "", as("bo", "staff"))
		if status != http.StatusOK || strings.Contains(body, "LIMO-7") || strings.Contains(body, "taxis.md") || strings.Contains(body, "Executive taxis") {
			t.Errorf("bo, outside HR, opening %s: %d, shows the HR page:\n%s", path, status, body)
		}
		if status, body := do(t, "GET", ts.URL+path, "", as("cy", "staff,hr")); status != http.StatusOK || !strings.Contains(body, "taxis.md") {
			t.Errorf("cy, in HR, opening %s: %d, misses the HR page:\n%s", path, status, body)
		}
	}
}
