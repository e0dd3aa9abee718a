package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/internal/wordvec"
	"github.com/docent-search/docent/web"
)

// A misspelt word is searched for as the word the reader's documents hold, and the reader is
// told: the search page says "Showing results for", the API gives "corrected", and an answer's
// "question" is what was searched. A word only documents the reader may not see hold is
// never offered.
func TestMisspeltQueries(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.NewPool(t)
	src := docenttest.Add(t, pool, "docs", docenttest.Folder(t, map[string]string{
		"travel.md":  "# Travel\n\n## Taxis\n\nA taxi home after a client dinner that ends after 9 pm is always reimbursed. Keep the receipt.\n",
		"hr/plan.md": "# Reorganisation\n\nThe layoffs are planned for March.\n",
	}), source.Rule{Glob: "hr/**", Groups: []string{"hr"}})
	if _, err := (&ingest.Indexer{Pool: pool, Embedder: e, Log: docenttest.Log}).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	s := &retrieve.Searcher{Pool: pool, Embedder: e}
	srv := &web.Server{Pool: pool, Searcher: s, Asker: &answer.Service{Searcher: s, Answerer: answer.Extractive{}},
		Conversations: answer.Conversations{Pool: pool}, Log: docenttest.Log,
		Identity: proxied()}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	search := func(q, groups string) (corrected string) {
		t.Helper()
		status, body := do(t, "GET", ts.URL+"/api/search?q="+url.QueryEscape(q), "", as("ann", groups))
		var got struct{ Corrected string }
		if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("search %q: %d %s", q, status, body)
		}
		return got.Corrected
	}
	// "reimburse" and "reimbursed", one edit away each, are one stem: either is searched alike.
	if got := search("is a taxi reimbursd", ""); got != "is a taxi reimbursed" && got != "is a taxi reimburse" {
		t.Errorf("corrected = %q, want %q", got, "is a taxi reimbursed")
	}
	if got := search("is a taxi reimbursed", ""); got != "" {
		t.Errorf("a query without a misspelling: corrected = %q", got)
	}
	if got := search("when are the layofs", ""); got != "" {
		t.Errorf("a reader outside hr was offered %q", got)
	}
	if got := search("when are the layofs", "hr"); !strings.HasPrefix(got, "when are the layoff") {
		t.Errorf("for hr: corrected = %q", got)
	}

	status, body := do(t, "GET", ts.URL+"/search?q="+url.QueryEscape("is a taxi reimbursd"), "", as("ann", ""))
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if got := doc.Find(`[data-testid=corrected]`).Text(); status != http.StatusOK || !strings.HasPrefix(got, "Showing results for “is a taxi reimburse") {
		t.Errorf("search page: %d, notice %q", status, got)
	}

	// The answer's badge says what was searched when it is not what was typed; characters that
	// show nothing, which the server drops, are no difference.
	for typed, want := range map[string]string{
		"is a taxi home reimbursd after a client dinner":        " · searched for “is a taxi home reimburse",
		"is a taxi\u200b home reimbursed after a client dinner": "",
	} {
		_, body := do(t, "GET", ts.URL+"/?q="+url.QueryEscape(typed), "", as("ann", ""))
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		badge := doc.Find(`[data-testid=mode]`).Text()
		if _, searched, _ := strings.Cut(badge, "quoted from the sources"); want == "" && searched != "" || want != "" && !strings.HasPrefix(searched, want) {
			t.Errorf("%q: badge %q, want after it %q", typed, badge, want)
		}
	}

	status, body = do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home reimbursd after a client dinner"}`, as("ann", ""))
	var resp answer.Response
	if status != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil {
		t.Fatalf("ask: %d %s", status, body)
	}
	if !strings.HasPrefix(resp.Question, "is a taxi home reimburse") || !resp.Found || !strings.Contains(resp.Answer, "always reimbursed") {
		t.Errorf("ask: question %q, found %v, answer %q", resp.Question, resp.Found, resp.Answer)
	}
}
