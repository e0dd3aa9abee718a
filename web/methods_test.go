package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestWrongMethodIsNamed: a route called with a method it does not take was answered
// "404 No such page.", which sends a client looking for a typo in the path. It is 405 with the
// methods the path takes in Allow; a path no route has is still 404.
func TestWrongMethodIsNamed(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/search?q=taxi", "GET, HEAD"},
		{"GET", "/api/ask", "POST"},
		{"PUT", "/api/feedback", "POST"},
		{"POST", "/doc/1", "GET, HEAD"},
		{"PATCH", "/api/curated/1", "DELETE, GET, HEAD, PUT"},
	} {
		resp, body := send(t, ts.URL, request{method: c.method, path: c.path})
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow || !strings.Contains(body, c.allow) {
			t.Errorf("%s %s: %d, Allow %q, %.200s; want 405 allowing %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), body, c.allow)
		}
	}
	for _, path := range []string{"/api/nothing", "/doc/1/nothing"} {
		if resp, body := send(t, ts.URL, request{method: "DELETE", path: path}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("DELETE %s: %d %.200s, want 404", path, resp.StatusCode, body)
		}
	}
}
