package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestJSONBodiesAreOneValue: a body holding a JSON object followed by anything else is
// malformed, and was acted on as if the rest were not there ({"question": "x"} {"other": 1}
// asked "x"). Every JSON route answers 400 naming what follows; the same body without the
// trailing garbage is not refused for its JSON.
func TestJSONBodiesAreOneValue(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	json := http.Header{"Content-Type": {"application/json"}}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/ask", `{"question": "taxi"}`},
		{"POST", "/api/feedback", `{"conversation": "c", "turn": 1, "rating": "up"}`},
		{"POST", "/api/share", `{"conversation": "c", "turn": 1}`},
		{"POST", "/api/curated", `{"question": "q", "answer": "a"}`},
		{"PUT", "/api/curated/1", `{"question": "q", "answer": "a"}`},
		{"POST", "/api/insights/gaps/1", `{"status": "assigned", "owner": "ann"}`},
	} {
		resp, body := send(t, ts.URL, request{method: c.method, path: c.path, body: c.body + ` {"x": 1}`, headers: json})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "after the JSON value") {
			t.Errorf("%s %s with trailing data: %d %.200s, want 400 naming the data after the JSON value", c.method, c.path, resp.StatusCode, body)
		}
		resp, body = send(t, ts.URL, request{method: c.method, path: c.path, body: c.body + " \n", headers: json})
		if strings.Contains(body, "must be JSON") {
			t.Errorf("%s %s with trailing white space: %d %.200s", c.method, c.path, resp.StatusCode, body)
		}
	}
}
