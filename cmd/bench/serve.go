package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/web"
)

// serveSearch runs Docent's web handler in this process on a loopback port (local mode) and
// has clients query it for d.
func serveSearch(ctx context.Context, pool *pgxpool.Pool, e embedder.Embedder, queries []string, clients int, d time.Duration) (*outcome, error) {
	srv := &web.Server{Pool: pool, Searcher: &retrieve.Searcher{Pool: pool, Embedder: e}, Log: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	defer hs.Shutdown(context.Background())
	return searchers("http://"+ln.Addr().String(), queries, clients, d), ctx.Err()
}

// searchers has n users query base's /api/search for d, each sending the next query as soon
// as the last is answered; users are named in the trusted-proxy header (ignored in local mode).
func searchers(base string, queries []string, n int, d time.Duration) *outcome {
	stop := make(chan struct{})
	time.AfterFunc(d, func() { close(stop) })
	return users(n, stop, func(user, i int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, base+"/api/search?q="+url.QueryEscape(queries[(user*13+i)%len(queries)]), nil)
		if err == nil {
			req.Header.Set("X-Forwarded-User", fmt.Sprintf("user%02d", user))
		}
		return req, err
	})
}
