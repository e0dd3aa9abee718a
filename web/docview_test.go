package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestDocumentShowsStructure: an indexed Markdown page shows its headings, lists and table,
// with the cited passage marked, rather than flat text.
func TestDocumentShowsStructure(t *testing.T) {
	t.Parallel()
	srv := newServerOver(t, "", map[string]string{"travel.md": "# Travel\n\nBook through the travel desk.\n\n## Meal allowance\n\n" +
		"| City | Daily limit |\n|------|-------|\n| Paris | 60 EUR |\n| Oslo | 80 EUR |\n\n## Taxis\n\nTaxis are reimbursed when:\n\n- the dinner ends after 9 pm\n- you keep the receipt\n"})
	srv.Identity = proxied()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	var doc, chunk int64
	if err := srv.Pool.QueryRow(context.Background(), `SELECT document_id, id FROM chunks WHERE text LIKE '%receipt%'`).Scan(&doc, &chunk); err != nil {
		t.Fatal(err)
	}
	_, page := do(t, "GET", fmt.Sprintf("%s/doc/%d?chunk=%d", ts.URL, doc, chunk), "", as("ann", "staff"))
	d, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	body := d.Find(`[data-testid=document-body]`)
	texts := func(sel string) string {
		return strings.Join(body.Find(sel).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) }), "|")
	}
	if got := texts("h2, h3"); got != "Travel|Meal allowance|Taxis" {
		t.Errorf("headings %q", got)
	}
	if got := texts("li"); got != "the dinner ends after 9 pm|you keep the receipt" {
		t.Errorf("list items %q", got)
	}
	if got := texts("th"); got != "City|Daily limit" {
		t.Errorf("table header %q", got)
	}
	if got := texts("td"); got != "Paris|60 EUR|Oslo|80 EUR" {
		t.Errorf("table cells %q", got)
	}
	if got := texts("mark"); !strings.Contains(got, "you keep the receipt") || body.Find("#passage").Length() != 1 {
		t.Errorf("marked passage %q", got)
	}
}
