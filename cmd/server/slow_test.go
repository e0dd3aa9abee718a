package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestIdleConnectionsAreClosed: a client that sends one request and then holds its keep-alive
// connection open, saying nothing, was kept forever (ReadHeaderTimeout only starts once the
// next request's first bytes arrive), so enough of them exhausted the server's file
// descriptors. The server's connections have an idle timeout; here it is shortened to the
// test's pace, after checking that main's is set.
func TestIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	hs := httpServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	if hs.IdleTimeout <= 0 || hs.IdleTimeout > 5*time.Minute || hs.ReadHeaderTimeout <= 0 {
		t.Fatalf("idle timeout %s, header timeout %s: want both set, the idle one at most 5 minutes", hs.IdleTimeout, hs.ReadHeaderTimeout)
	}
	hs.IdleTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("an idle keep-alive connection: read %v, want the server to close it (EOF)", err)
	}
}
