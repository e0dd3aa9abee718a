// Package web is Docent's browser UI and JSON API: templ pages rendered on the server, handlers
// beside them, and static assets embedded in the binary. Every handler reads the reader's
// identity from the request context and passes their groups to retrieval, which filters in SQL.
package web

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/curated"
	"github.com/docent-search/docent/internal/querylog"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/migrations"
)

//go:embed static
var static embed.FS

// Server holds what the handlers need.
type Server struct {
	Pool          *pgxpool.Pool
	Searcher      *retrieve.Searcher
	Asker         *answer.Service
	Conversations answer.Conversations
	// QueryLog records every question asked; nil records none.
	QueryLog *querylog.Log
	// Curated holds the curated answers; nil: a store on Pool, matching with Searcher's
	// embedder.
	Curated  *curated.Store
	Jobs     *reindex.Queue
	Identity Identity
	// SourceRoots are the folders under which admins may add sources from the browser.
	SourceRoots []string
	// AskPerMinute is each user's rate limit on questions.
	AskPerMinute float64
	Log          *slog.Logger
	Metrics      *Metrics
	// PublicURL is DOCENT_PUBLIC_URL, for absolute links handed to MCP clients; empty: the
	// request's own origin.
	PublicURL string
	// MaxInFlight is how many searches and questions run at once (see admission); 0: two per
	// core (GOMAXPROCS), at most the database pool's size. MaxQueue more wait for a slot, for
	// at most QueueWait; the rest are refused with 503. MaxQueue 0: four per slot; negative:
	// none wait. QueueWait 0: one second.
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration

	limiter   *limiter
	admission *admission
	keyGroups keyGroupsSeen
	draining  atomic.Bool
}

// Drain prepares a graceful shutdown: from now on every response asks its client to close the
// connection and /readyz answers 503, so load balancers stop routing here and no busy
// connection is left idle when the server shuts down. Without it, a client that sent its next
// request on a keep-alive connection just as the server closed it as idle got EOF (3 of 1,400
// questions under load in a benchmark run). cmd/server closes its listener first: see there.
func (s *Server) Drain() { s.draining.Store(true) }

// Handler returns the route table wrapped in identity, CSRF protection, the Host allow-list
// and security and caching headers. /metrics is not on it: see Metrics. Searches and
// questions, the pages and API that run them, are under admission control, and so are MCP's
// tool calls (mcp.go); pages that only read a row or two (documents, admin, keys), sign-in,
// health checks and static files are never refused, so that a saturated server can still be
// watched, administered and signed in to.
func (s *Server) Handler() http.Handler {
	s.limiter = newLimiter(s.AskPerMinute)
	if s.Curated == nil && s.Pool != nil {
		s.Curated = &curated.Store{Pool: s.Pool}
		if s.Searcher != nil {
			s.Curated.Embedder = s.Searcher.Embedder
		}
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	poolSize := 0
	if s.Pool != nil {
		poolSize = int(s.Pool.Config().MaxConns)
	}
	s.admission = newAdmission(s.MaxInFlight, s.MaxQueue, s.QueueWait, poolSize, s.Metrics)
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.Metrics.instrument(pattern, s.checkPathValues(pattern, h)))
	}
	route("GET /{$}", s.admitted(s.ask))
	route("GET /search", s.admitted(s.search))
	route("GET /doc/{id}", s.document)
	route("GET /doc/{id}/file", s.documentFile)
	route("GET /admin", s.admin(s.adminPage))
	route("POST /admin/sources", s.admin(s.audited("source added", s.adminAdd)))
	route("POST /admin/sources/{name}", s.admin(s.audited("source changed", s.adminUpdate)))
	route("POST /admin/sources/{name}/remove", s.admin(s.audited("source removed", s.adminRemove)))
	route("POST /admin/sources/{name}/reindex", s.admin(s.audited("re-index started", s.adminReindex)))
	route("GET /admin/view-as", s.admin(s.viewAsPage))
	route("GET /admin/oversharing", s.admin(s.oversharingPage))
	route("POST /api/ask", s.admitted(s.apiAsk))
	route("POST /api/feedback", s.apiFeedback)
	route("POST /feedback", s.feedbackForm)
	route("GET /api/search", s.admitted(s.apiSearch))
	// Curated answers, conversations and shared answers (curated.go, conversations.go).
	route("GET /api/curated", s.admin(s.apiCuratedList))
	route("POST /api/curated", s.admin(s.apiCuratedCreate))
	route("GET /api/curated/{id}", s.admin(s.apiCuratedGet))
	route("PUT /api/curated/{id}", s.admin(s.apiCuratedUpdate))
	route("DELETE /api/curated/{id}", s.admin(s.apiCuratedDelete))
	route("GET /admin/curated", s.admin(s.curatedPage))
	route("GET /admin/curated/{id}", s.admin(s.curatedPage))
	route("POST /admin/curated", s.admin(s.curatedCreateForm))
	route("POST /admin/curated/{id}", s.admin(s.curatedUpdateForm))
	route("POST /admin/curated/{id}/delete", s.admin(s.curatedDeleteForm))
	route("GET /conversations", s.conversationsPage)
	route("POST /conversations/{id}/delete", s.deleteConversationForm)
	route("GET /api/conversations", s.apiConversations)
	route("GET /api/conversations/{id}", s.apiConversation)
	route("DELETE /api/conversations/{id}", s.apiDeleteConversation)
	route("POST /api/share", s.apiShare)
	route("POST /share", s.shareForm)
	route("GET /shared/{id}", s.sharedPage)
	route("GET /api/shared/{id}", s.apiShared)
	route("GET /api/sources", s.apiSources)
	route("POST /api/sources/{name}/reindex", s.admin(s.audited("re-index started", s.apiReindex)))
	route("GET /api/jobs/{id}", s.admin(s.apiJob))
	route("POST /api/jobs/{id}/cancel", s.admin(s.audited("re-index cancelled", s.apiCancel)))
	route("GET /api/admin/view-as", s.admin(s.apiViewAs))
	route("GET /api/admin/oversharing", s.admin(s.apiOversharing))
	// Sign-in, API keys, MCP and the audit log (oidc.go, apikeys.go, mcp.go, audit.go).
	route("GET /auth/login", s.signIn)
	route("GET /auth/callback", s.signInCallback)
	route("POST /auth/logout", s.signOut)
	route("GET /keys", s.keysPage)
	route("POST /keys", s.createKey)
	route("POST /keys/{name}/revoke", s.revokeKey)
	route("/mcp", s.mcpHandler().ServeHTTP)
	route("GET /api/audit", s.admin(s.apiAudit))
	route("GET /admin/audit", s.admin(s.auditPage))
	// Insights and knowledge gaps (insights.go).
	route("GET /admin/insights", s.admin(s.insightsPage))
	route("POST /admin/insights/gaps/{id}", s.admin(s.gapForm))
	route("GET /api/insights", s.admin(s.apiInsights))
	route("GET /api/insights/gaps", s.admin(s.apiGaps))
	route("POST /api/insights/gaps/{id}", s.admin(s.apiGapChange))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /static/", http.FileServerFS(static))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			s.fail(w, r, http.StatusMethodNotAllowed, "This page takes "+allow+", not "+r.Method+".")
			return
		}
		s.fail(w, r, http.StatusNotFound, "No such page.")
	})
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "Cross-site request refused.")
	}))
	protected := csrf.Handler(s.readBodies(s.checkQuery(mux)))
	inner := s.recoverer(securityHeaders(noStore(s.Identity.hostCheck(s.withKeys(s.Identity.middleware(s.syncKeyGroups(protected), s.fail), protected), s.fail))))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		inner.ServeHTTP(w, r)
	})
}

// allowedMethods lists the methods the routes at r's path take. The catch-all "/" matches
// every method and path, so the mux never answers 405 itself: without this, a route called
// with the wrong method was "No such page.".
func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut} {
		if _, pattern := mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host}); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// groups returns the reader's access groups.
func groups(r *http.Request) []string { return userFrom(r.Context()).Groups }

func (s *Server) pageFor(r *http.Request, title, nav string) page {
	return page{Title: title, User: userFrom(r.Context()), Nav: nav, SignOut: s.Identity.OIDC != nil}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Pool.Ping(ctx); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	if current, err := migrations.Current(ctx, s.Pool); err != nil || !current {
		http.Error(w, "database schema is not current", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

// admin lets only admins through.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !userFrom(r.Context()).Admin {
			s.fail(w, r, http.StatusForbidden, "Only administrators may do this.")
			return
		}
		h(w, r)
	}
}

// recoverer turns a handler panic into a 500 for that request alone.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.error(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
