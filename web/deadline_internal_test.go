package web

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestDeadlinesReachTheConnection: handlers bound how long a request body may take with
// http.ResponseController (readBodyFirst), through the metrics' wrapper of every route's
// ResponseWriter. The wrapper did not unwrap, so the deadline was silently not set and a client
// that sent half a body and went quiet held its connection and handler forever. Here the
// deadline is short: the half-sent body must end in the handler's error, answered.
func TestDeadlinesReachTheConnection(t *testing.T) {
	t.Parallel()
	h := NewMetrics().instrument("POST /x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			http.Error(w, "deadline not set: "+err.Error(), http.StatusInternalServerError)
			return
		}
		_, err := io.ReadAll(r.Body)
		http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a half-sent body: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "timeout") {
		t.Errorf("%d %s, want 400 naming the timeout", resp.StatusCode, b)
	}
}
