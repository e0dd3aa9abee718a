package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/docent-search/docent/internal/embed"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/web"
	"github.com/jackc/pgx/v5/pgxpool"
)

// throughput is what a load run measured.
type throughput struct {
	requests int
	errors   int // responses other than 200, and failed requests
	elapsed  time.Duration
	lat      latencies
}

func (t throughput) String() string {
	return fmt.Sprintf("%.0f req/s, p50/p95/p99 %s, %d errors of %d", float64(t.requests)/t.elapsed.Seconds(), t.lat, t.errors, t.requests)
}

// serveSearch runs Docent's web handler on a loopback port and has clients users query
// /api/search in a loop for d, each request waiting for the one before.
func serveSearch(ctx context.Context, pool *pgxpool.Pool, e embed.Embedder, queries []string, clients int, d time.Duration) (throughput, error) {
	srv := &web.Server{Pool: pool, Searcher: &retrieve.Searcher{Pool: pool, Embedder: e}, Log: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return throughput{}, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())
	base := "http://" + ln.Addr().String() + "/api/search?q="
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}

	var mu sync.Mutex
	var t throughput
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := c; time.Since(start) < d && ctx.Err() == nil; i += clients {
				began := time.Now()
				ok := get(client, base+url.QueryEscape(queries[i%len(queries)]))
				took := time.Since(began)
				mu.Lock()
				t.requests++
				t.lat = append(t.lat, took)
				if !ok {
					t.errors++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.elapsed = time.Since(start)
	slices.Sort(t.lat)
	return t, ctx.Err()
}

func get(c *http.Client, u string) bool {
	resp, err := c.Get(u)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}
