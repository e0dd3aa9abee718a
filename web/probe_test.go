package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestNewRoutesRefuseBadTextWith400: NUL or invalid UTF-8 in the ids of the paths and in the
// fields of the curated answers, conversations, shared links and gaps answers 400 naming the
// field, never a 500 from PostgreSQL refusing the text.
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
	} {
		status, body := do(t, c.method, ts.URL+c.path, c.body, c.who)
		if status >= 500 || (status == http.StatusBadRequest) != true || !strings.Contains(body, c.field) {
			t.Errorf("%s %s %s: %d %.200s; want 400 naming %s", c.method, c.path, c.body, status, body, c.field)
		}
	}
}
