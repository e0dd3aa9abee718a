// Command server is Docent's web server: the browser UI and the JSON API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/querylog"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/web"
	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	config.LimitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, reading settings from args and getenv (tests pass their own).
func run(ctx context.Context, args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server [flags]\n\nServes Docent's web UI and JSON API. Every flag has an environment variable; see README.\n\n")
		fs.PrintDefaults()
	}
	noWorker := fs.Bool("no-worker", false, "serve queries only: run no re-index jobs here (same as DOCENT_WORKERS=0)")
	load := config.Bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	if *noWorker {
		cfg.Workers = 0
	}
	if len(cfg.TrustedProxies) > 0 && cfg.PublicHost == "" {
		// Behind a proxy no Host is known to be Docent's own without it, and serving any Host
		// would let a rebound DNS name reach the server: refuse to start instead.
		return errors.New("DOCENT_PUBLIC_URL is required with DOCENT_TRUSTED_PROXIES: set it to the URL readers open Docent at (e.g. https://docent.example.com)")
	}
	log := newLogger(cfg.LogLevel)
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	emb, err := embedder.New(cfg)
	if err != nil {
		return err
	}
	if err := embedder.Attach(ctx, pool, emb); err != nil {
		return err
	}
	warnSearchMemory(ctx, pool, log)
	answerer, err := answer.New(cfg)
	if err != nil {
		return err
	}
	searcher := retrieve.NewSearcher(pool, emb, cfg)
	for _, u := range cfg.DatabaseReadURLs {
		replica, err := postgres.OpenReplica(ctx, u)
		if err != nil {
			return err
		}
		defer replica.Close()
		searcher.Replicas = append(searcher.Replicas, replica)
	}
	metrics := web.NewMetrics()
	jobs, err := reindex.New(pool, reindex.Config{Workers: cfg.Workers, RescueAfter: cfg.RescueJobsAfter},
		ingest.NewIndexer(pool, emb, cfg, log).RunReporting, log)
	if err != nil {
		return err
	}
	jobs.Finished = metrics.IndexRun
	if err := jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting re-index workers: %w", err)
	}
	if cfg.Workers > 0 {
		// Servers that work jobs also watch the folders of sources marked --watch.
		go func() {
			if err := jobs.Watch(ctx, reindex.WatchSettle, reindex.WatchReload); err != nil {
				log.Warn("folder watcher stopped", "err", err)
			}
		}()
	}
	identity := web.Identity{TrustedProxies: cfg.TrustedProxies, UserHeader: cfg.UserHeader,
		GroupsHeader: cfg.GroupsHeader, AdminGroup: cfg.AdminGroup, PublicHost: cfg.PublicHost}
	if cfg.IdentityMode() == config.ModeOIDC {
		identity.OIDC, err = web.NewOIDC(ctx, pool, web.OIDCSettings{Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID,
			ClientSecret: cfg.OIDCClientSecret, PublicURL: cfg.PublicURL, Scopes: cfg.OIDCScopes, GroupsClaim: cfg.OIDCGroupsClaim,
			AdminGroup: cfg.AdminGroup, SessionLifetime: cfg.SessionLifetime}, log)
		if err != nil {
			return err
		}
	}
	queryLog := &querylog.Log{Pool: pool, Users: cfg.QueryLogUsers, Retention: time.Duration(cfg.QueryLogDays) * 24 * time.Hour, Log: log}
	if cfg.QueryLogDays > 0 {
		go queryLog.PurgeEvery(ctx, time.Hour)
	}
	srv := &web.Server{
		Pool: pool, Searcher: searcher, Log: log, Jobs: jobs,
		Asker:         &answer.Service{Searcher: searcher, Answerer: answerer, ContextTokens: cfg.LLMContextTokens},
		Conversations: answer.Conversations{Pool: pool},
		QueryLog:      queryLog,
		Identity:      identity,
		PublicURL:     cfg.PublicURL,
		SourceRoots:   cfg.SourceRoots,
		AskPerMinute:  cfg.AskRate,
		MaxInFlight:   cfg.MaxInFlight,
		MaxQueue:      cfg.MaxQueue,
		QueueWait:     cfg.QueueWait,
		Metrics:       metrics,
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on DOCENT_ADDR %s: %w", cfg.Addr, err)
	}
	ln := &closeOnce{Listener: l}
	defer ln.Close()
	errc := make(chan error, 2)
	if cfg.MetricsAddr != "" {
		// Metrics get a listener of their own so that readers, who reach the main one through
		// the proxy, never see them; Prometheus scrapes this one directly.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listening on DOCENT_METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics)
		ms := httpServer(mux)
		go func() { errc <- ms.Serve(mln) }()
		defer ms.Close()
		log.Info("metrics are served", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	hs := httpServer(srv.Handler())
	go func() { errc <- hs.Serve(ln) }()
	log.Info("Docent is serving", "url", "http://"+ln.Addr().String(), "identity", cfg.IdentityMode(), "embedder", emb.Model(), "answers", answerer.Name(), "workers", cfg.Workers)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: no new jobs; running ones may finish", "timeout", cfg.ShutdownTimeout)
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Stop accepting first, while busy clients are still reusing their keep-alive connections
	// and hardly anyone is connecting: a connection the kernel has queued but the server not
	// yet accepted is reset when the listener closes, after its client may have sent a request
	// (the bench lost one so when the listener closed at the end of the drain, by then every
	// client reconnecting after each Connection: close). New connections are now refused,
	// which clients and load balancers retry safely. Then a moment of draining (see
	// web.Server.Drain): requests on open connections are answered with Connection: close, so
	// none is left idle for Shutdown to close under a request being sent. Draining only after
	// the close keeps it from sending clients to reconnect while the listener is still open.
	ln.Close()
	srv.Drain()
	time.Sleep(min(time.Second, cfg.ShutdownTimeout/4))
	err = hs.Shutdown(shutdown)
	// Jobs still running at the deadline stop at a file boundary, every document consistent,
	// and are picked up again by another worker.
	if jerr := jobs.Stop(shutdown); jerr != nil {
		log.Warn("stopping re-index workers", "err", jerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// closeOnce is a listener that may be closed before http.Server.Shutdown closes it again.
type closeOnce struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *closeOnce) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// httpServer serves h with the timeouts that keep silent clients from holding connections:
// a request's header must arrive within 10 s of its first byte, and a keep-alive connection
// idle for 2 minutes is closed (without it, one request then silence held a connection, and
// its file descriptor, forever). 2 minutes is longer than the idle timeout of the usual proxies
// and load balancers (nginx 60 s, AWS ALB 60 s), which therefore close first. Request bodies
// have deadlines of their own (see web); responses none, since answers stream.
func httpServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// warnSearchMemory logs what PostgreSQL's memory settings will cost searches, where they will
// (the vector index outgrowing shared_buffers, no huge pages under a large one): the one place
// an administrator who never runs `indexer status` hears of it. Reading it never stops a start.
func warnSearchMemory(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) {
	m, err := postgres.ReadSearchMemory(ctx, pool)
	if err != nil {
		log.Warn("could not read PostgreSQL's memory settings", "err", err)
		return
	}
	for _, a := range m.Advice() {
		log.Warn(a, "vector_index_bytes", m.VectorIndex, "shared_buffers_bytes", m.SharedBuffers)
	}
}
