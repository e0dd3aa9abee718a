package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestViewAs has an admin search and ask as two readers: one without hr does not get the hr
// document, one with hr does, through the same filter readers go through; non-admins may not
// use it, and nothing is recorded in the viewed reader's name.
func TestViewAs(t *testing.T) {
	t.Parallel()
	ts, srv := setupServer(t, proxied(), "")
	admin := http.Header{"X-Forwarded-User": {"root"}, "X-Forwarded-Groups": {"docent-admins"}}
	reader := http.Header{"X-Forwarded-User": {"ann"}, "X-Forwarded-Groups": {"sales"}}
	q := "zygomorphic budget codeword periwinkle"
	viewAs := func(path, groups string) string { // path is /admin/view-as or /api/admin/view-as
		return path + "?" + url.Values{"user": {"ann"}, "groups": {groups}, "q": {q}}.Encode()
	}

	t.Run("AdminsOnly", func(t *testing.T) {
		for _, path := range []string{viewAs("/admin/view-as", "hr"), viewAs("/api/admin/view-as", "hr"), "/admin/oversharing", "/api/admin/oversharing"} {
			if resp, body := send(t, ts.URL, request{path: path, headers: reader}); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "PERIWINKLE") {
				t.Errorf("a non-admin got %s: %d", path, resp.StatusCode)
			}
		}
	})

	t.Run("API", func(t *testing.T) {
		for groups, want := range map[string]bool{"": false, "sales, engineering": false, "sales, hr": true} {
			resp, body := send(t, ts.URL, request{path: viewAs("/api/admin/view-as", groups), headers: admin})
			var out struct {
				ViewingAs struct {
					User   string
					Groups []string
				} `json:"viewing_as"`
				Results []struct{ Document string }
				Answer  struct{ Answer string }
			}
			if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil || out.ViewingAs.User != "ann" {
				t.Fatalf("groups %q: %d %.300s", groups, resp.StatusCode, body)
			}
			found := false
			for _, r := range out.Results {
				found = found || r.Document == "hr/budget.md"
			}
			if found != want || strings.Contains(out.Answer.Answer, "PERIWINKLE") != want {
				t.Errorf("as ann with groups %q: hr document in results %v, in the answer %v; want %v", groups, found, strings.Contains(out.Answer.Answer, "PERIWINKLE"), want)
			}
		}
		// An image or link on another site must not spend the admin's model time.
		crossSite := http.Header{"X-Forwarded-User": {"root"}, "X-Forwarded-Groups": {"docent-admins"}, "Sec-Fetch-Site": {"cross-site"}}
		if _, body := send(t, ts.URL, request{path: viewAs("/api/admin/view-as", "hr"), headers: crossSite}); !strings.Contains(body, `"answer":{"answer":""`) || !strings.Contains(body, "Not asked") {
			t.Errorf("a cross-site view-as request was answered: %.300s", body)
		}
		if resp, body := send(t, ts.URL, request{path: "/api/admin/view-as?q=taxi", headers: admin}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "user:") {
			t.Errorf("no user: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("Page", func(t *testing.T) {
		for groups, want := range map[string]bool{"sales": false, "hr": true} {
			resp, body := send(t, ts.URL, request{path: viewAs("/admin/view-as", groups), headers: admin})
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if resp.StatusCode != 200 || err != nil {
				t.Fatalf("groups %s: %d %v", groups, resp.StatusCode, err)
			}
			if label := doc.Find(`[data-testid=viewing-as]`).Text(); !strings.Contains(label, "ann") || !strings.Contains(label, groups) {
				t.Errorf("label %q does not say whose view this is", label)
			}
			if got := strings.Contains(doc.Find(`[data-testid=results]`).Text(), "budget.md"); got != want {
				t.Errorf("as ann with %s: hr document listed %v, want %v", groups, got, want)
			}
		}
	})

	var n int
	if err := srv.Pool.QueryRow(context.Background(), `SELECT count(*) FROM conversations`).Scan(&n); err != nil || n != 0 {
		t.Errorf("viewing as a reader recorded %d conversations (%v)", n, err)
	}
}

// TestOversharingReport lists the documents without groups per source: the two public sample
// documents, never the hr one, with counts.
func TestOversharingReport(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	resp, body := send(t, ts.URL, request{path: "/api/admin/oversharing"})
	var out struct {
		Sources []struct {
			Source    string
			Documents int
			Public    int `json:"visible_to_everyone"`
			Listed    []struct {
				ID   int64
				Path string
			} `json:"documents_visible_to_everyone"`
		}
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil || len(out.Sources) != 1 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	s := out.Sources[0]
	var paths []string
	for _, d := range s.Listed {
		paths = append(paths, d.Path)
	}
	if s.Source != "docs" || s.Documents != 3 || s.Public != 2 || strings.Join(paths, " ") != "travel.md xss.html" {
		t.Errorf("report %+v, want docs with 2 of 3 documents public: travel.md and xss.html", s)
	}
	_, page := send(t, ts.URL, request{path: "/admin/oversharing"})
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(page))
	if got := doc.Find(`[data-testid=exposed-document]`).Length(); got != 2 || strings.Contains(page, "budget.md") ||
		!strings.Contains(doc.Find(`[data-testid=exposure-count]`).Text(), "2 of 3") {
		t.Errorf("page lists %d documents: %.500s", got, doc.Find(`main`).Text())
	}
}
