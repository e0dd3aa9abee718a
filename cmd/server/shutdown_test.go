package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMUnderLoadLosesNoRequest stops a server with SIGTERM while 32 clients ask questions
// back to back on keep-alive connections. Every request must be answered or refused at
// connect (the listener closed): none may be accepted and then dropped. Questions are POSTs,
// which Go's client never retries, so a dropped one shows. (Before the listener closed first,
// this lost a request in about one run of four: a new connection reset in the accept queue.)
func TestSIGTERMUnderLoadLosesNoRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, conn := testDatabase(t)
	root := t.TempDir()
	writeNotes(t, root, 40)
	addSource(t, conn, "notes", root)
	// Each client is its own user behind the proxy, so that no rate limit answers for the server,
	// and all of them are admitted at once, so that no 503 for a full server does either.
	srv := startServer(t, db, "DOCENT_ASK_RATE=100000", "DOCENT_MAX_INFLIGHT=32", "DOCENT_TRUSTED_PROXIES=127.0.0.1/32", "DOCENT_PUBLIC_URL=http://127.0.0.1")
	as := func(user string, req *http.Request) *http.Request {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-User", user)
		req.Header.Set("X-Forwarded-Groups", "docent-admins")
		return req
	}
	req, _ := http.NewRequest("POST", "http://"+srv.addr+"/api/sources/notes/reindex", nil)
	if resp, err := http.DefaultClient.Do(as("admin", req)); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("starting the re-index: %v %v", resp, err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var status string
		conn.QueryRow(ctx, `SELECT status FROM index_jobs ORDER BY id DESC LIMIT 1`).Scan(&status)
		if status == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the notes were not indexed (job %s):\n%s", status, srv.log)
		}
	}

	const clients = 32
	var answered, afterSignal, refused atomic.Int64
	var signalled atomic.Bool
	var mu sync.Mutex
	var lost []string
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				body := fmt.Sprintf(`{"question": "which approvals does the budget review of item %d need?"}`, (c*31+i)%40)
				req, _ := http.NewRequest("POST", "http://"+srv.addr+"/api/ask", strings.NewReader(body))
				resp, err := client.Do(as(fmt.Sprint("user", c), req))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				switch {
				case errors.Is(err, syscall.ECONNREFUSED):
					refused.Add(1)
					return // the listener is closed: the shutdown is under way
				case err != nil:
					mu.Lock()
					lost = append(lost, err.Error())
					mu.Unlock()
				case resp.StatusCode != http.StatusOK:
					mu.Lock()
					lost = append(lost, fmt.Sprintf("status %d", resp.StatusCode))
					mu.Unlock()
				default:
					if answered.Add(1); signalled.Load() {
						afterSignal.Add(1)
					}
				}
			}
		})
	}
	// Signal once the load is established: counted, not timed.
	for answered.Load() < 200 {
		time.Sleep(10 * time.Millisecond)
	}
	signalled.Store(true)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	if err := srv.cmd.Wait(); err != nil {
		t.Errorf("the server exited with %v:\n%s", err, srv.log)
	}
	if len(lost) > 0 {
		t.Errorf("%d requests lost (first: %s); %d answered, %d of them after SIGTERM, %d refused at connect", len(lost), lost[0], answered.Load(), afterSignal.Load(), refused.Load())
	}
	if afterSignal.Load() == 0 {
		t.Errorf("no request was answered after SIGTERM: the shutdown was not under load")
	}
	t.Logf("%d answered, %d after SIGTERM, %d refused at connect, %d lost", answered.Load(), afterSignal.Load(), refused.Load(), len(lost))
}
