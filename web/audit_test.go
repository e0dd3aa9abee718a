package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/auth"
)

func TestAdminActionsAreAudited(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	admin := map[string]string{"X-Forwarded-User": "root", "X-Forwarded-Groups": "docent-admins", "X-Forwarded-For": "10.1.2.3"}
	// A change of access rules, a re-index, an add that fails (no source roots), a removal.
	postForm(t, ts.URL+"/admin/sources/docs", url.Values{"groups": {"staff"}, "rules": {"hr/**=hr,finance"}}, admin)
	postForm(t, ts.URL+"/admin/sources/docs/reindex", nil, admin)
	postForm(t, ts.URL+"/admin/sources", url.Values{"name": {"new"}, "path": {"/etc"}}, admin)
	postForm(t, ts.URL+"/admin/sources/docs/remove", nil, admin)

	if status, _ := do(t, "GET", ts.URL+"/api/audit", "", map[string]string{"X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"}); status != http.StatusForbidden {
		t.Errorf("/api/audit for a non-admin: %d, want 403", status)
	}
	status, body := do(t, "GET", ts.URL+"/api/audit?limit=10", "", admin)
	var got struct{ Entries []auth.Entry }
	if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
		t.Fatalf("/api/audit: %d %v %.300s", status, err, body)
	}
	var actions []string
	for _, e := range got.Entries {
		actions = append(actions, e.Action+" "+e.Target)
		if e.Actor != "root" || e.Remote != "127.0.0.1 for 10.1.2.3" || e.At.IsZero() {
			t.Errorf("entry = %+v, want root from 127.0.0.1 for 10.1.2.3", e)
		}
		if e.Action == "source changed" && !strings.Contains(e.Detail, `rules="hr/**=hr,finance"`) {
			t.Errorf("the change's detail %q lacks the new rules", e.Detail)
		}
	}
	if strings.Join(actions, "; ") != "source removed docs; re-index started docs; source changed docs" {
		t.Errorf("audit log = %q (the failed add must not appear)", actions)
	}
	if status, _ := do(t, "GET", ts.URL+"/api/audit?limit=0", "", admin); status != http.StatusBadRequest {
		t.Errorf("limit=0: %d, want 400", status)
	}

	status, page := do(t, "GET", ts.URL+"/admin", "", admin)
	if status != 200 || !strings.Contains(page, `href="/admin/audit"`) {
		t.Errorf("the admin page does not link the audit log")
	}
	if !strings.Contains(page, "Recent admin actions") || !strings.Contains(page, "re-index started") {
		t.Errorf("the admin page does not show the latest admin actions: %.300s", page)
	}
	status, page = do(t, "GET", ts.URL+"/admin/audit", "", admin)
	if status != 200 || !strings.Contains(page, "source removed") || !strings.Contains(page, "127.0.0.1 for 10.1.2.3") {
		t.Errorf("/admin/audit: %d %.300s", status, page)
	}
}
