package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestAdminFormErrorsAreClientErrors: an admin form posted with input Docent refuses (a
// schedule that is not one, a folder outside the roots, a source, curated answer or gap that
// does not exist, a name taken) answers with the page, the error on it and a 4xx status, not
// a redirect to a 200 page carrying the error in its URL: proxies, scripts and monitors saw
// every refused change as a success. The page keeps what was typed, so a long rule list or
// answer is not lost to a typo.
func TestAdminFormErrorsAreClientErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	srv.Identity = proxied()
	srv.SourceRoots = []string{t.TempDir()}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	form := func(values url.Values) string { return values.Encode() }
	who := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range curatedAdmin {
		who[k] = v
	}
	for _, c := range []struct {
		name, path, body string
		status           int
		says             string
		kept             []string // selectors whose value or text must hold what was typed
	}{
		{"update with a bad schedule", "/admin/sources/docs", form(url.Values{"groups": {"staff"}, "rules": {"legal/**=legal\nhr/**=hr,finance"}, "every": {"fortnightly"}}),
			http.StatusBadRequest, `schedule "fortnightly"`, []string{`[data-source="docs"] textarea[name="rules"]`}},
		{"update with a bad rule", "/admin/sources/docs", form(url.Values{"groups": {"staff"}, "rules": {"hr/**"}}), http.StatusBadRequest, `rule "hr/**"`, nil},
		{"update of no source", "/admin/sources/nosuch", form(url.Values{"groups": {"staff"}, "rules": {""}}), http.StatusNotFound, "nosuch", nil},
		{"remove of no source", "/admin/sources/nosuch/remove", "", http.StatusNotFound, "nosuch", nil},
		{"re-index of no source", "/admin/sources/nosuch/reindex", "", http.StatusNotFound, "nosuch", nil},
		{"add outside the roots", "/admin/sources", form(url.Values{"name": {"etc"}, "path": {"/etc"}, "rules": {"private/**=ops"}}),
			http.StatusBadRequest, "DOCENT_SOURCE_ROOTS", []string{`[data-testid="add-source"] textarea[name="rules"]`, `[data-testid="add-source"] input[name="path"]`}},
		{"add with a bad name", "/admin/sources", form(url.Values{"name": {"a b"}, "path": {srv.SourceRoots[0]}}), http.StatusBadRequest, `source name "a b"`, nil},
		{"add a name taken", "/admin/sources", form(url.Values{"name": {"docs"}, "path": {srv.SourceRoots[0]}}), http.StatusConflict, "already exists", nil},
		{"curated answer without an owner", "/admin/curated", form(url.Values{"question": {"Where is the parking?"}, "answer": {"Behind building **B**, level -2."}, "review_by": {"2099-01-01"}}),
			http.StatusBadRequest, "owner", []string{`[data-testid="curated-form"] textarea[name="answer"]`, `[data-testid="curated-form"] input[name="question"]`}},
		{"change of no curated answer", "/admin/curated/999999", form(url.Values{"question": {"q"}, "answer": {"a"}, "owner": {"o"}, "review_by": {"2099-01-01"}}),
			http.StatusNotFound, "No such curated answer", nil},
		{"delete of no curated answer", "/admin/curated/999999/delete", "", http.StatusNotFound, "No such curated answer", nil},
		{"change of no gap", "/admin/insights/gaps/999999", form(url.Values{"status": {"assigned"}, "owner": {"geo"}}), http.StatusNotFound, "gap", nil},
		{"a gap status that is none", "/admin/insights/gaps/999999", form(url.Values{"status": {"someday"}}), http.StatusBadRequest, "status", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := do(t, "POST", ts.URL+c.path, c.body, who)
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			alert := doc.Find(`[role="alert"]`).Text()
			if status != c.status || !strings.Contains(alert, c.says) {
				t.Fatalf("%d, the page says %q; want %d saying %q", status, alert, c.status, c.says)
			}
			values, _ := url.ParseQuery(c.body)
			for _, sel := range c.kept {
				field := doc.Find(sel)
				got := field.AttrOr("value", field.Text())
				if want := values.Get(field.AttrOr("name", "")); got != want {
					t.Errorf("%s holds %q, want what was typed: %q", sel, got, want)
				}
			}
		})
	}
	// Nothing refused is in the audit log.
	if _, body := do(t, "GET", ts.URL+"/api/audit", "", curatedAdmin); strings.Contains(body, "nosuch") || strings.Contains(body, `"etc"`) {
		t.Errorf("a refused change is in the audit log: %.500s", body)
	}
}

// TestSourceFormThatIsNotReadChangesNothing: a source's access saved with a form body that
// does not parse ("%zz"), one that is not a form at all (JSON, or no Content-Type) or one that
// leaves out the groups or the rules answers 400 and leaves the source as it was. net/http's
// PostFormValue drops what it cannot read, and an absent field read as empty: the source's
// rules were wiped and the re-index the save queued made its HR folder readable by everyone.
func TestSourceFormThatIsNotReadChangesNothing(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range curatedAdmin {
		form[k] = v
	}
	json := map[string]string{"Content-Type": "application/json"}
	for k, v := range curatedAdmin {
		json[k] = v
	}
	for _, c := range []struct {
		body    string
		headers map[string]string
		says    string
	}{
		{"groups=&rules=hr/**%3Dhr%zz", form, "form"},
		{"rules=legal/**%3D%zzlegal&groups=", form, "form"},
		{`{"groups": "", "rules": "hr/**=hr"}`, json, "groups"},
		{"groups=&rules=hr/**%3Dhr", curatedAdmin, "groups"},
		{"every=1h", form, "groups"},
		{"groups=staff", form, "rules"},
	} {
		status, body := do(t, "POST", ts.URL+"/admin/sources/docs", c.body, c.headers)
		if status != http.StatusBadRequest || !strings.Contains(body, c.says) {
			t.Errorf("%s (%s): %d %.300s; want 400 naming %s", c.body, c.headers["Content-Type"], status, body, c.says)
		}
	}
	_, sources := do(t, "GET", ts.URL+"/api/sources", "", curatedAdmin)
	if !strings.Contains(sources, `"rules":[{"glob":"hr/**","groups":["hr"]}]`) {
		t.Errorf("the source's rules after refused saves: %s", sources)
	}
}
