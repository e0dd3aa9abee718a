package web_test

import (
	"context"
	"net/http/httptest"
	"testing"
)

// TestCancelledRequestsEndQuietly: a reader who closes the tab (or a client that drops the
// connection) cancels the request's context, and every page rendered with it then fails. The
// failure was answered with the error page, rendered with the same context, which failed
// again: the recursion logged a line per level and ran until the goroutine's stack overflowed,
// which kills the whole server. Each page must end, once.
func TestCancelledRequestsEndQuietly(t *testing.T) {
	t.Parallel()
	h := newServer(t, "").Handler()
	for _, path := range []string{"/", "/?q=taxi", "/search?q=taxi", "/doc/1", "/conversations", "/keys", "/admin", "/no-such-page"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := httptest.NewRequestWithContext(ctx, "GET", "http://127.0.0.1"+path, nil)
		r.RemoteAddr = "127.0.0.1:40000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code < 400 {
			t.Errorf("%s, cancelled: %d, want an error status", path, w.Code)
		}
	}
}
