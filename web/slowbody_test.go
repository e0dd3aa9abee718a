package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHalfSentBodiesAreAnswered: a client that sends a request's headers and part of its body,
// then goes quiet, is answered 400 once the body deadline passes, on every route that reads a
// body, not only on searches and questions: otherwise each such request held a connection
// and a handler for as long as the client liked (slowloris). Takes the 10 s deadline once;
// the routes are tried at the same time.
func TestHalfSentBodiesAreAnswered(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	addr := strings.TrimPrefix(ts.URL, "http://")
	routes := []string{"POST /api/ask", "POST /api/feedback", "POST /api/share", "POST /share", "POST /feedback",
		"POST /api/curated", "PUT /api/curated/1", "POST /keys", "POST /mcp", "POST /admin/sources"}
	var wg sync.WaitGroup
	for _, route := range routes {
		wg.Go(func() {
			method, path, _ := strings.Cut(route, " ")
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", method, path, addr)
			c.SetReadDeadline(time.Now().Add(25 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Errorf("%s: no answer to a half-sent body: %v", route, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "request body") {
				t.Errorf("%s: %d %.200s, want 400 about the request body", route, resp.StatusCode, b)
			}
		})
	}
	wg.Wait()
}
