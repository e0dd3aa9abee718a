package web_test

import (
	"encoding/json"
	"github.com/PuerkitoBio/goquery"
	"github.com/docent-search/docent/internal/querylog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestNewRoutesRefuseBadTextWith400: NUL or invalid UTF-8 in the ids and names of the paths
// and in the fields of the curated answers, conversations, shared links and gaps answers 400
// naming the field, never a 500 or a message from PostgreSQL refusing the text.
func TestNewRoutesRefuseBadTextWith400(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	ann := as("ann", "staff")
	for _, c := range []struct {
		method, path, body string
		who                map[string]string
		field              string
	}{
		{"GET", "/api/shared/%00", "", ann, "id"},
		{"GET", "/api/shared/%FF", "", ann, "id"},
		{"GET", "/shared/%00", "", ann, "id"},
		{"GET", "/api/conversations/%00", "", ann, "id"},
		{"GET", "/api/conversations/%FF", "", ann, "id"},
		{"DELETE", "/api/conversations/%00", "", ann, "id"},
		{"POST", "/conversations/%FF/delete", "", ann, "id"},
		{"GET", "/?c=%00", "", ann, "c"},
		{"POST", "/api/curated", `{"question": "q", "answer": "a", "owner": "o", "review_by": "2099-01-01", "groups": ["h\u0000r"]}`, curatedAdmin, "groups"},
		{"POST", "/api/curated", `{"question": "q", "answer": "a", "owner": "o", "review_by": "2099-01-01", "pinned": [{"source": "docs", "document": "a\u0000b"}]}`, curatedAdmin, "pinned"},
		{"POST", "/api/insights/gaps/1", `{"status": "assigned", "owner": "a\u0000b"}`, curatedAdmin, "owner"},
		// A source's or a key's {name} in the path reached PostgreSQL: a 500, or its own
		// message on the admin page.
		{"POST", "/api/sources/a%00b/reindex", "", curatedAdmin, "name"},
		{"POST", "/keys/a%FFb/revoke", "", ann, "name"},
		{"POST", "/keys/a%00b/revoke", "", ann, "name"},
		{"POST", "/admin/sources/a%00b", "", curatedAdmin, "name"},
		{"POST", "/admin/sources/a%FFb/remove", "", curatedAdmin, "name"},
		{"POST", "/admin/sources/a%00b/reindex", "", curatedAdmin, "name"},
	} {
		status, body := do(t, c.method, ts.URL+c.path, c.body, c.who)
		if status >= 500 || (status == http.StatusBadRequest) != true || !strings.Contains(body, c.field+": must") {
			t.Errorf("%s %s %s: %d %.200s; want 400 naming %s", c.method, c.path, c.body, status, body, c.field)
		}
	}
}

// TestSourceFormNamesBadText: a source's groups and rules with a NUL or invalid UTF-8, saved
// from the admin page, are refused naming the group or glob, not with PostgreSQL's message
// (or, for invalid UTF-8 in a rule, stored as U+FFFD, a group no one is in).
func TestSourceFormNamesBadText(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	for _, form := range []string{"rules=&groups=staff%00", "rules=&groups=staff%FF", "groups=staff&rules=hr/**%3Dh%00r", "groups=staff&rules=hr/**%3Dh%FFr", "groups=staff&rules=h%00r/**%3Dhr"} {
		_, body := do(t, "POST", ts.URL+"/admin/sources/docs", form,
			map[string]string{"X-Forwarded-User": "root", "X-Forwarded-Groups": "docent-admins", "Content-Type": "application/x-www-form-urlencoded"})
		if !strings.Contains(body, "must be UTF-8 text without NUL characters") || strings.Contains(body, "SQLSTATE") || strings.Contains(body, "saved") {
			t.Errorf("%s: the admin page says %.300s", form, body[max(0, strings.Index(body, `role="alert"`)):])
		}
	}
}

// TestCuratedAndPinsNeverCrossGroups: a curated answer for everyone pinning the HR document,
// and one for HR only, asked by a staff reader through every channel (search and ask JSON, the
// page, view-as, MCP) and through a link an HR reader shared: the HR document, the HR-only
// answer's text and its id never reach them.
func TestCuratedAndPinsNeverCrossGroups(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	createCurated(t, ts.URL, `{"question": "where is the zygomorphic budget", "answer": "In the budget folder.", "owner": "finance",
		"review_by": "2099-12-31", "pinned": [{"source": "docs", "document": "hr/budget.md"}]}`)
	hrOnly := createCurated(t, ts.URL, `{"question": "is a taxi home after a client dinner reimbursed", "answer": "Executives: limousine code CURATED-LIMO-9.",
		"groups": ["hr"], "owner": "hr team", "review_by": "2099-12-31", "pinned": [{"source": "docs", "document": "hr/budget.md"}]}`)
	staff := as("bo", "staff")
	leaks := []string{"PERIWINKLE", "hr/budget.md", "CURATED-LIMO-9", "hr team", `"pinned":true`, `"curated":{"id":` + strconv.FormatInt(hrOnly, 10)}
	check := func(channel, body string) {
		t.Helper()
		for _, leak := range leaks {
			if strings.Contains(body, leak) {
				t.Errorf("%s shows %q to a staff reader: %.600s", channel, leak, body)
			}
		}
	}
	for _, q := range []string{"where is the zygomorphic budget", "is a taxi home after a client dinner reimbursed"} {
		_, body := do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape(q), "", staff)
		check("search "+q, body)
		_, body = do(t, "POST", ts.URL+"/api/ask", `{"question": "`+q+`"}`, staff)
		check("ask "+q, body)
		_, body = do(t, "GET", ts.URL+"/?q="+url.QueryEscape(q), "", staff)
		check("page "+q, body)
		_, body = do(t, "GET", ts.URL+"/search?q="+url.QueryEscape(q), "", staff)
		check("search page "+q, body)
		_, body = do(t, "GET", ts.URL+"/api/admin/view-as?user=bo&groups=staff&q="+url.QueryEscape(q), "", curatedAdmin)
		check("view-as "+q, body)
	}
	// View-as with HR shows both, so the checks above can fail.
	if _, body := do(t, "GET", ts.URL+"/api/admin/view-as?user=dee&groups=hr&q="+url.QueryEscape("is a taxi home after a client dinner reimbursed"), "", curatedAdmin); !strings.Contains(body, "CURATED-LIMO-9") || !strings.Contains(body, "hr/budget.md") {
		t.Errorf("view-as an HR reader lacks the HR curated answer or its pin: %.600s", body)
	}
	key := createKey(t, ts.URL, "bo", "staff", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})
	sess := mcpSession(t, ts.URL, key)
	for _, q := range []string{"where is the zygomorphic budget", "is a taxi home after a client dinner reimbursed"} {
		got, _ := call(t, sess, "search", map[string]any{"query": q})
		check("MCP search", got)
		got, _ = call(t, sess, "ask", map[string]any{"question": q})
		check("MCP ask", got)
	}

	// Through MCP an HR reader gets the HR-only curated answer, first, as in the page.
	if got, _ := call(t, mcpSession(t, ts.URL, createKey(t, ts.URL, "dee", "staff,hr", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})),
		"ask", map[string]any{"question": "is a taxi home after a client dinner reimbursed"}); !strings.Contains(got, "Curated answer · hr team") || !strings.Contains(got, "CURATED-LIMO-9") {
		t.Errorf("MCP ask for an HR reader lacks the HR curated answer: %.600s", got)
	}

	// An HR reader shares the answer that carried the HR-only curated answer and pin.
	status, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed"}`, as("dee", "staff,hr"))
	var a struct {
		Conversation string
		Curated      *struct{ ID int64 }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || a.Curated == nil {
		t.Fatalf("the HR reader's answer: %d %s; want the curated answer", status, body)
	}
	link := shareTurn(t, ts.URL, a.Conversation, 1, as("dee", "staff,hr"))
	_, body = do(t, "GET", ts.URL+"/api"+link, "", staff)
	check("shared link (API)", body)
	_, body = do(t, "GET", ts.URL+link, "", staff)
	check("shared link (page)", body)
	if _, body := do(t, "GET", ts.URL+"/api"+link, "", as("eve", "hr")); !strings.Contains(body, "CURATED-LIMO-9") {
		t.Errorf("an HR viewer of the link lacks the curated answer: %.400s", body)
	}
}

// TestNewFormsRefuseCrossSiteAndReadKeys: every new state-changing route refuses a cross-site
// request (nothing changes), and an admin's read-scoped key reaches none of the admin ones.
func TestNewFormsRefuseCrossSiteAndReadKeys(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	conv, _ := askAs(t, ts.URL, "ann", unanswerable, "")
	id := strconv.FormatInt(createCurated(t, ts.URL, taxiCurated), 10)
	g := waitForGap(t, ts.URL, unanswerable)
	gap := strconv.FormatInt(g.ID, 10)
	cross := func(h map[string]string) map[string]string {
		out := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	for _, c := range []struct {
		method, path, body string
		who                map[string]string
	}{
		{"POST", "/conversations/" + conv + "/delete", "", as("ann", "staff")},
		{"DELETE", "/api/conversations/" + conv, "", as("ann", "staff")},
		{"POST", "/share", "conversation=" + conv + "&turn=1", as("ann", "staff")},
		{"POST", "/api/share", `{"conversation": "` + conv + `", "turn": 1}`, as("ann", "staff")},
		{"POST", "/feedback", "conversation=" + conv + "&turn=1&rating=down", as("ann", "staff")},
		{"POST", "/admin/curated", "question=q&answer=a&owner=o&review_by=2099-01-01", curatedAdmin},
		{"POST", "/admin/curated/" + id, "question=q&answer=a&owner=o&review_by=2099-01-01", curatedAdmin},
		{"POST", "/admin/curated/" + id + "/delete", "", curatedAdmin},
		{"PUT", "/api/curated/" + id, `{"question": "q", "answer": "a", "owner": "o", "review_by": "2099-01-01"}`, curatedAdmin},
		{"DELETE", "/api/curated/" + id, "", curatedAdmin},
		{"POST", "/admin/insights/gaps/" + gap, "status=resolved&kind=wontfix", curatedAdmin},
		{"POST", "/api/insights/gaps/" + gap, `{"status": "resolved", "resolution": {"kind": "wontfix"}}`, curatedAdmin},
	} {
		if status, body := do(t, c.method, ts.URL+c.path, c.body, cross(c.who)); status != http.StatusForbidden {
			t.Errorf("cross-site %s %s: %d %.200s; want 403", c.method, c.path, status, body)
		}
	}
	if status, _ := do(t, "GET", ts.URL+"/api/conversations/"+conv, "", as("ann", "staff")); status != http.StatusOK {
		t.Errorf("ann's conversation after the cross-site requests: %d", status)
	}
	if status, body := do(t, "GET", ts.URL+"/api/curated/"+id, "", curatedAdmin); status != http.StatusOK || !strings.Contains(body, "taxi") {
		t.Errorf("the curated answer after the cross-site requests: %d %s", status, body)
	}
	if g := waitForGap(t, ts.URL, unanswerable); g.Status != "open" {
		t.Errorf("the gap after the cross-site requests: %s", g.Status)
	}

	read := bearer(createKey(t, ts.URL, "root", "docent-admins", url.Values{"name": {"ro"}, "expires": {"30d"}, "scope": {"read"}}))
	for _, c := range [][3]string{
		{"GET", "/api/curated", ""}, {"GET", "/api/curated/" + id, ""}, {"POST", "/api/curated", taxiCurated},
		{"PUT", "/api/curated/" + id, taxiCurated}, {"DELETE", "/api/curated/" + id, ""},
		{"GET", "/api/insights", ""}, {"GET", "/api/insights/gaps", ""},
		{"POST", "/api/insights/gaps/" + gap, `{"status": "open"}`},
	} {
		if status, body := do(t, c[0], ts.URL+c[1], c[2], read); status != http.StatusForbidden || strings.Contains(body, "Peru") || strings.Contains(body, "taxi") {
			t.Errorf("an admin's read key: %s %s: %d %.200s; want 403", c[0], c[1], status, body)
		}
	}
	// A reader's own key lists and shares only their own conversations.
	bo := bearer(createKey(t, ts.URL, "bo", "staff", url.Values{"name": {"ro"}, "expires": {"30d"}, "scope": {"read"}}))
	if _, body := do(t, "GET", ts.URL+"/api/conversations", "", bo); strings.Contains(body, conv) {
		t.Errorf("bo's key lists ann's conversation: %s", body)
	}
	if status, _ := do(t, "POST", ts.URL+"/api/share", `{"conversation": "`+conv+`", "turn": 1}`, bo); status != http.StatusForbidden {
		t.Errorf("bo's key sharing ann's answer: %d, want 403", status)
	}
}

// TestHostileTextStaysText: a reader's question carrying markup (a conversation's title, a
// gap's question, a label of the slowest-questions chart) and an admin's curated Markdown with
// HTML, script links and remote images render as text on every page that shows them.
func TestHostileTextStaysText(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	hostile := `what is the capital of Peru </text><script>alert(1)</script><img src=x onerror=alert(2)>`
	// Answered from xss.html, and rated 👎: its gap shows the question.
	conv, turn := askAs(t, ts.URL, "ann", hostile, "")
	if status, body := do(t, "POST", ts.URL+"/api/feedback", `{"conversation":"`+conv+`","turn":`+strconv.Itoa(turn)+`,"rating":"down"}`, as("ann", "staff")); status != http.StatusCreated {
		t.Fatalf("rating: %d %s", status, body)
	}
	waitForGap(t, ts.URL, hostile)
	createCurated(t, ts.URL, `{"question": "where do I park", "owner": "o", "review_by": "2099-01-01",
		"answer": "<script>alert(3)</script> [click](javascript:alert(4)) ![x](https://evil.example/x.png) <img src=x onerror=alert(5)> [doc](/doc/1\"onmouseover=alert(6))"}`)
	pages := map[string]string{}
	_, pages["conversations"] = do(t, "GET", ts.URL+"/conversations", "", as("ann", "staff"))
	_, pages["insights"] = do(t, "GET", ts.URL+"/admin/insights", "", curatedAdmin)
	_, pages["ask"] = do(t, "GET", ts.URL+"/?q="+url.QueryEscape("where do I park"), "", as("bo", "staff"))
	_, pages["curated admin"] = do(t, "GET", ts.URL+"/admin/curated", "", curatedAdmin)
	for name, page := range pages {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
				t.Errorf("%s page has a script %q %q", name, src, s.Text())
			}
		})
		if n := doc.Find("img, [onerror], [onmouseover]").Length(); n > 0 {
			t.Errorf("%s page has %d images or handlers from hostile text", name, n)
		}
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			if href, _ := s.Attr("href"); strings.Contains(href, "javascript") || strings.Contains(href, "evil") {
				t.Errorf("%s page links to %q", name, href)
			}
		})
	}
	if !strings.Contains(pages["insights"], "&lt;script&gt;alert(1)") || !strings.Contains(pages["conversations"], "&lt;script&gt;alert(1)") {
		t.Error("the hostile question is not shown, escaped, on the insights and conversations pages")
	}
}

// TestSharedFollowUpShowsOnlyItsOwnQuestion: sharing the answer to a follow-up shares that
// question, not the earlier ones of the conversation, which the standalone question searched
// for the follow-up carries over.
func TestSharedFollowUpShowsOnlyItsOwnQuestion(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	conv, _ := askAs(t, ts.URL, "ann", "are the zanzibar layoffs confidential", "")
	_, turn := askAs(t, ts.URL, "ann", "is a taxi home after a client dinner reimbursed?", conv)
	link := shareTurn(t, ts.URL, conv, turn, as("ann", "staff"))
	for _, path := range []string{"/api" + link, link} {
		status, body := do(t, "GET", ts.URL+path, "", as("bo", "staff"))
		if status != http.StatusOK || !strings.Contains(body, "client dinner") || strings.Contains(body, "zanzibar") {
			t.Errorf("GET %s as another reader: %d %.600s; want the shared question only", path, status, body)
		}
	}
	// Its owner reopening the conversation still sees what was searched.
	if _, body := do(t, "GET", ts.URL+"/api/conversations/"+conv, "", as("ann", "staff")); !strings.Contains(body, "zanzibar") {
		t.Errorf("the owner's conversation lost its questions: %.400s", body)
	}
}

// TestTurnBeyondAnyConversationIsNotFound: a turn past what PostgreSQL's integer holds, in a
// share or a rating, is an answer that does not exist (404; someone else's conversation still
// 403), not a 500.
func TestTurnBeyondAnyConversationIsNotFound(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	conv, _ := askAs(t, ts.URL, "ann", answerable, "")
	for _, c := range []struct {
		path, body string
		user       string
		want       int
	}{
		{"/api/share", `{"conversation": "` + conv + `", "turn": 9223372036854775807}`, "ann", http.StatusNotFound},
		{"/api/share", `{"conversation": "` + conv + `", "turn": 4294967296}`, "bo", http.StatusForbidden},
		{"/api/feedback", `{"conversation": "` + conv + `", "turn": 4294967296, "rating": "up"}`, "ann", http.StatusNotFound},
	} {
		if status, body := do(t, "POST", ts.URL+c.path, c.body, as(c.user, "staff")); status != c.want {
			t.Errorf("POST %s %s as %s: %d %s; want %d", c.path, c.body, c.user, status, body, c.want)
		}
	}
}

// TestPinnedRestrictedDocumentInTheModelsPrompt: a curated answer for everyone pins an HR page.
// A staff reader's prompt never holds it; an HR reader's answer, whose prompt held it uncited,
// is withheld from a staff viewer of its shared link.
func TestPinnedRestrictedDocumentInTheModelsPrompt(t *testing.T) {
	t.Parallel()
	ts, llm := shareServer(t, "Yes, after 9 pm [1].")
	createCurated(t, ts.URL, `{"question": "is a taxi home after a client dinner reimbursed", "answer": "See the travel page.", "owner": "travel",
		"review_by": "2099-12-31", "pinned": [{"source": "docs", "document": "travel.md"}, {"source": "docs", "document": "hr/taxis.md"}]}`)
	question := `{"question": "is a taxi home after a client dinner reimbursed"}`
	before := len(llm.Requests())
	if status, body := do(t, "POST", ts.URL+"/api/ask", question, as("bo", "staff")); status != http.StatusOK || strings.Contains(body, "LIMO") || strings.Contains(body, "hr/taxis.md") {
		t.Errorf("the staff reader's answer: %d %s", status, body)
	}
	for _, req := range llm.Requests()[before:] {
		if strings.Contains(string(req.Body), "LIMO-7") {
			t.Errorf("the staff reader's prompt holds the pinned HR page: %.400s", req.Body)
		}
	}
	status, body := do(t, "POST", ts.URL+"/api/ask", question, as("ann", "staff,hr"))
	var a struct {
		Conversation string
		Context      []int64
		Citations    []struct{ Document string }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || len(a.Context) != 2 || len(a.Citations) != 1 {
		t.Fatalf("the HR reader's answer: %d %s; want both pages in the prompt, one cited", status, body)
	}
	_, body = do(t, "POST", ts.URL+"/api/share", `{"conversation": "`+a.Conversation+`", "turn": 1}`, as("ann", "staff,hr"))
	var link struct{ URL string }
	json.Unmarshal([]byte(body), &link)
	status, body = do(t, "GET", ts.URL+"/api"+link.URL, "", as("bo", "staff"))
	if status != http.StatusOK || !strings.Contains(body, `"withheld":true`) || strings.Contains(body, "9 pm [1]") || strings.Contains(body, "hr/taxis.md") {
		t.Errorf("the staff viewer of the HR reader's link: %d %s; want the text withheld", status, body)
	}
}

// TestDocumentStructureFromHostileFilesStaysText: headings, list items and table cells a
// hostile document writes as markup show as text on the document page (Markdown drops raw
// HTML at extraction).
func TestDocumentStructureFromHostileFilesStaysText(t *testing.T) {
	t.Parallel()
	srv := newServerOver(t, "", map[string]string{
		"hostile.html": `<html><body><h1>&lt;img src=x onerror=alert(1)&gt; quokka</h1><p>quokka intro</p><h2>&lt;/h2&gt;&lt;script&gt;alert(2)&lt;/script&gt;</h2>
			<ul><li>&lt;svg onload=alert(3)&gt;</li><li>two</li></ul>
			<table><tr><th>&lt;script&gt;</th><th>B</th></tr><tr><td>&lt;iframe src=javascript:alert(4)&gt;</td><td>y</td></tr></table></body></html>`,
		"hostile.md": "# <img src=x onerror=alert(5)> wombat\n\nwombat intro\n\n- <svg onload=alert(6)>\n- two\n\n| <script>alert(7)</script> | B |\n| --- | --- |\n| <iframe src=x> | y |\n",
	})
	srv.Identity = proxied()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	for _, q := range []string{"quokka", "wombat"} {
		_, body := do(t, "GET", ts.URL+"/api/search?q="+q, "", as("bo", "staff"))
		var found struct{ Results []struct{ URL string } }
		if json.Unmarshal([]byte(body), &found) != nil || len(found.Results) == 0 {
			t.Fatalf("search %s: %s", q, body)
		}
		_, page := do(t, "GET", ts.URL+found.Results[0].URL, "", as("bo", "staff"))
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("img, svg:not([aria-hidden]), iframe, [onerror], [onload]").Length(); n > 0 {
			t.Errorf("the %s document page builds %d elements from its text", q, n)
		}
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src, _ := s.Attr("src"); !strings.HasPrefix(src, "/static/") {
				t.Errorf("the %s document page has a script %q", q, s.Text())
			}
		})
		if q == "quokka" && !strings.Contains(page, "onerror=alert") {
			t.Errorf("the %s document page does not show the heading's text: %.1500s", q, page)
		}
	}
}

// TestQueryLogUsersNoneHidesAskersInGaps: with DOCENT_QUERY_LOG_USERS=none, the gaps name no
// asker, neither of a declined question nor of a 👎, by name or pseudonym.
func TestQueryLogUsersNoneHidesAskersInGaps(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	srv.Identity = proxied()
	srv.QueryLog.Users = querylog.None
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	askAs(t, ts.URL, "annabel", unanswerable, "")
	conv, turn := askAs(t, ts.URL, "bartholomew", answerable, "")
	if status, body := do(t, "POST", ts.URL+"/api/feedback", `{"conversation":"`+conv+`","turn":`+strconv.Itoa(turn)+`,"rating":"down"}`, as("bartholomew", "staff")); status != http.StatusCreated {
		t.Fatalf("rating: %d %s", status, body)
	}
	for _, q := range []string{unanswerable, answerable} {
		if g := waitForGap(t, ts.URL, q); len(g.AskedBy) != 0 {
			t.Errorf("the gap of %q names its askers %q", q, g.AskedBy)
		}
	}
	_, page := do(t, "GET", ts.URL+"/admin/insights", "", curatedAdmin)
	_, api := do(t, "GET", ts.URL+"/api/insights/gaps", "", curatedAdmin)
	for _, name := range []string{"annabel", "bartholomew"} {
		if strings.Contains(page, name) || strings.Contains(api, name) {
			t.Errorf("the insights show %q", name)
		}
	}
}
