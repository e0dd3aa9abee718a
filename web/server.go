// Package web is Docent's browser UI and JSON API: templ pages rendered on the server, handlers
// beside them, and static assets embedded in the binary. Every handler reads the reader's
// identity from the request context and passes their groups to retrieval, which filters in SQL.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
	"github.com/docent-search/docent/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed static
var static embed.FS

// Server holds what the handlers need.
type Server struct {
	Pool          *pgxpool.Pool
	Searcher      *retrieve.Searcher
	Asker         *answer.Service
	Conversations answer.Conversations
	Jobs          *reindex.Queue
	Identity      Identity
	// SourceRoots are the folders under which admins may add sources from the browser.
	SourceRoots []string
	// AskPerMinute is each user's rate limit on questions.
	AskPerMinute float64
	Log          *slog.Logger
	Metrics      *Metrics

	limiter  *limiter
	draining atomic.Bool
}

// Drain prepares a graceful shutdown: from now on every response asks its client to close the
// connection and /readyz answers 503, so load balancers stop routing here and no busy
// connection is left idle when the server shuts down. Without it, a client that sent its next
// request on a keep-alive connection just as the server closed it as idle got EOF (3 of 1,400
// questions under load in a benchmark run). cmd/server closes its listener first: see there.
func (s *Server) Drain() { s.draining.Store(true) }

// Handler returns the route table wrapped in identity, CSRF protection, the Host allow-list
// and security and caching headers. /metrics is not on it: see Metrics.
func (s *Server) Handler() http.Handler {
	s.limiter = newLimiter(s.AskPerMinute)
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, s.Metrics.instrument(pattern, h))
	}
	route("GET /{$}", s.ask)
	route("GET /search", s.search)
	route("GET /doc/{id}", s.document)
	route("GET /doc/{id}/file", s.documentFile)
	route("GET /admin", s.admin(s.adminPage))
	route("POST /admin/sources", s.admin(s.adminAdd))
	route("POST /admin/sources/{name}", s.admin(s.adminUpdate))
	route("POST /admin/sources/{name}/remove", s.admin(s.adminRemove))
	route("POST /admin/sources/{name}/reindex", s.admin(s.adminReindex))
	route("GET /admin/view-as", s.admin(s.viewAsPage))
	route("GET /admin/oversharing", s.admin(s.oversharingPage))
	route("POST /api/ask", s.apiAsk)
	route("GET /api/search", s.apiSearch)
	route("GET /api/sources", s.apiSources)
	route("POST /api/sources/{name}/reindex", s.admin(s.apiReindex))
	route("GET /api/jobs/{id}", s.admin(s.apiJob))
	route("POST /api/jobs/{id}/cancel", s.admin(s.apiCancel))
	route("GET /api/admin/view-as", s.admin(s.apiViewAs))
	route("GET /api/admin/oversharing", s.admin(s.apiOversharing))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /static/", http.FileServerFS(static))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, http.StatusNotFound, "No such page.") })
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusForbidden, "Cross-site request refused.")
	}))
	inner := s.recoverer(securityHeaders(noStore(s.Identity.hostCheck(s.Identity.middleware(csrf.Handler(mux), s.fail), s.fail))))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		inner.ServeHTTP(w, r)
	})
}

// groups returns the reader's access groups.
func groups(r *http.Request) []string { return userFrom(r.Context()).Groups }

func (s *Server) pageFor(r *http.Request, title, nav string) page {
	return page{Title: title, User: userFrom(r.Context()), Nav: nav}
}

// part is a piece of answer text, or a citation marker when N > 0.
func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	p, err := textParams(r.URL.Query(), "q", "c")
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	m := askModel{page: s.pageFor(r, "Ask", "ask"), Question: strings.TrimSpace(p["q"]), Conversation: p["c"]}
	status := http.StatusOK
	// A question linked from another site is shown in the box, not asked: asking would record
	// it in the reader's conversations (and spend their rate limit) without their intent.
	m.Linked = m.Question != "" && !sameOrigin(r)
	if m.Question != "" && !m.Linked {
		m.Asked = true
		resp, conv, err := s.answer(r, m.Question, m.Conversation, nil)
		if err != nil {
			m.Error = askError(err)
			status = s.pageStatus(w, err)
		}
		m.Response, m.Conversation = resp, conv
		m.Blocks = answerBlocks(resp)
	}
	s.render(w, r, status, askPage(m))
}

var errRateLimited = errors.New("rate limited")

// answer runs a question within its conversation for the request's user, returning the
// response and the conversation id.
func (s *Server) answer(r *http.Request, question, conversation string, emit func(string)) (answer.Response, string, error) {
	u := userFrom(r.Context())
	if !s.limiter.allow(u.Name) {
		return answer.Response{Citations: []answer.Citation{}}, conversation, errRateLimited
	}
	history, err := s.Conversations.History(r.Context(), conversation, u.Name)
	if err != nil {
		return answer.Response{Citations: []answer.Citation{}}, conversation, err
	}
	start := time.Now()
	tokens := 0
	counted := func(tok string) {
		tokens++
		if emit != nil {
			emit(tok)
		}
	}
	resp, err := s.Asker.Ask(r.Context(), answer.Request{Question: question, History: history, Groups: u.Groups}, counted)
	s.Metrics.observeLabeled("docent_answer_seconds", fmt.Sprintf("mode=%q", resp.Mode), time.Since(start))
	if resp.Mode == "llm" {
		s.Metrics.Add("docent_llm_tokens_total", fmt.Sprintf("model=%q", resp.Model), float64(tokens))
	}
	if err != nil {
		s.Log.Error("answering failed", "user", u.Name, "err", err)
	}
	conv, cerr := s.Conversations.Append(r.Context(), conversation, u.Name, question)
	if cerr != nil {
		s.Log.Error("saving the conversation", "err", cerr)
		conv = conversation
	}
	return resp, conv, err
}

// askError says plainly what went wrong while the sources, if any, still show.
func askError(err error) string {
	switch {
	case errors.Is(err, errRateLimited):
		return "You are asking questions faster than allowed. Wait a minute and try again."
	case errors.Is(err, context.DeadlineExceeded):
		return "The answer took too long; the sources found are listed below. Try again in a moment."
	}
	return "The answer could not be completed (" + publicError(err) + "). The sources found are listed below."
}

type searchResult struct {
	Source      string  `json:"source"`
	Document    string  `json:"document"`
	Title       string  `json:"title"`
	Heading     string  `json:"heading"`
	Page        int     `json:"page"`
	Anchor      string  `json:"anchor"`
	Snippet     string  `json:"snippet"`
	Score       float64 `json:"score"`
	URL         string  `json:"url"`
	snippetHTML string
}

// runSearch parses the search parameters shared by the page and the API.
func (s *Server) runSearch(r *http.Request) ([]searchResult, error) {
	q := r.URL.Query()
	limit := 10
	for _, key := range []string{"k", "limit"} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return nil, badRequest{key + ": want a whole number from 1 to 100"}
			}
			limit = n
		}
	}
	p, err := textParams(q, "q", "source", "path", "type", "after", "before")
	if err != nil {
		return nil, err
	}
	query := retrieve.Query{Text: p["q"], Groups: groups(r), Limit: limit,
		Source: p["source"], PathPrefix: p["path"], Type: p["type"]}
	for key, dst := range map[string]*time.Time{"after": &query.After, "before": &query.Before} {
		if v := p[key]; v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, badRequest{key + ": want a date such as 2026-01-31"}
			}
			*dst = t
		}
	}
	start := time.Now()
	rs, err := s.Searcher.Search(r.Context(), query)
	s.Metrics.observe("docent_retrieval_seconds", time.Since(start))
	if err != nil {
		return nil, err
	}
	out := make([]searchResult, 0, len(rs))
	for _, x := range rs {
		out = append(out, searchResult{Source: x.Source, Document: x.Path, Title: x.Title, Heading: x.Heading,
			Page: x.Page, Anchor: x.Anchor, Snippet: x.Snippet(), Score: x.Score, URL: answer.DocURL(x), snippetHTML: x.SnippetHTML()})
	}
	return out, nil
}

// maxQuestion is the longest question or search, in bytes, the API accepts and the forms allow:
// beyond it retrieval would read only the first 4 KB anyway.
const maxQuestion = 4000

type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := searchModel{page: s.pageFor(r, "Search", "search"), Query: q.Get("q"), Source: q.Get("source"), Type: q.Get("type"), After: q.Get("after")}
	if names, err := s.visibleSources(r); err == nil {
		m.Sources = names
	}
	status := http.StatusOK
	m.Types = []string{"markdown", "html", "pdf", "docx", "pptx", "xlsx", "csv", "text"}
	if strings.TrimSpace(m.Query) != "" {
		m.Searched = true
		res, err := s.runSearch(r)
		var bad badRequest
		switch {
		case errors.As(err, &bad):
			m.Error = bad.msg
			status = http.StatusBadRequest
		case err != nil:
			s.Log.Error("search failed", "err", err)
			m.Error = "The search failed: " + publicError(err)
			status = s.pageStatus(w, err)
		}
		m.Results = res
	}
	s.render(w, r, status, searchPage(m))
}

// visibleSources lists the sources holding at least one document the reader may see.
func (s *Server) visibleSources(r *http.Request) ([]string, error) {
	rows, err := s.Pool.Query(r.Context(), `SELECT s.name FROM sources s WHERE EXISTS (
		SELECT 1 FROM documents d WHERE d.source_id = s.id AND d.status = 'indexed'
		AND (d.groups = '{}' OR d.groups && $1::text[])) ORDER BY s.name`, nonNil(groups(r)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// visibleDocument loads the document of the request's path that the reader may see, or
// answers the request itself and returns false. A document outside the reader's groups is
// reported exactly like a missing one.
func (s *Server) visibleDocument(w http.ResponseWriter, r *http.Request) (docRow, bool) {
	var doc docRow
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		doc.ID = id
		err = s.Pool.QueryRow(r.Context(), `SELECT d.title, s.name, d.path, d.body
			FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE d.id = $1 AND d.status = 'indexed' AND (d.groups = '{}' OR d.groups && $2::text[])`,
			id, nonNil(groups(r))).Scan(&doc.Title, &doc.Source, &doc.Path, &doc.Body)
	}
	switch {
	case err == nil:
		return doc, true
	case errors.Is(err, pgx.ErrNoRows), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		s.fail(w, r, http.StatusNotFound, "No such document.")
	default:
		s.internal(w, r, err)
	}
	return doc, false
}

type docRow struct {
	ID                  int64
	Title, Source, Path string
	Body                string
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.visibleDocument(w, r)
	if !ok {
		return
	}
	m := docModel{page: s.pageFor(r, doc.Title, ""), ID: doc.ID, DocTitle: doc.Title, Source: doc.Source, Path: doc.Path, Before: doc.Body}
	if chunk, err := strconv.ParseInt(r.URL.Query().Get("chunk"), 10, 64); err == nil {
		var start, end, pg int
		err := s.Pool.QueryRow(r.Context(), `SELECT start_offset, end_offset, page FROM chunks WHERE id = $1 AND document_id = $2`, chunk, doc.ID).Scan(&start, &end, &pg)
		if err == nil && start >= 0 && start <= end && end <= len(doc.Body) {
			m.Before, m.Passage, m.After, m.Page = doc.Body[:start], doc.Body[start:end], doc.Body[end:], pg
		}
	}
	s.render(w, r, http.StatusOK, docPage(m))
}

// documentFile serves the original file, access-checked, as a download so that no HTML or
// script in it runs in Docent's origin.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.visibleDocument(w, r)
	if !ok {
		return
	}
	// Only the file that was indexed is served: its groups are the ones just checked.
	f, err := source.OpenOriginal(r.Context(), s.Pool, doc.ID)
	switch {
	case errors.Is(err, source.ErrChanged):
		s.Log.Warn("original file changed since indexing", "source", doc.Source, "path", doc.Path, "err", err)
		s.fail(w, r, http.StatusConflict, "The file on disk is no longer the one that was indexed: re-index needed.")
		return
	case err != nil:
		s.Log.Warn("original file unavailable", "source", doc.Source, "path", doc.Path, "err", err)
		s.fail(w, r, http.StatusNotFound, "The original file is no longer available; the indexed text is shown on the document page.")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": downloadName(doc.Path)}))
	// A file rewritten while being sent fails its hash at the end: the response is cut short of
	// its Content-Length, which the client sees as an aborted download.
	http.ServeContent(w, r, "", f.ModTime, f)
}

// downloadName is the name a download is saved under: the file's own name as it is on disk
// (a stored path is escaped, see source.EscapePath), except that a name which is not valid
// UTF-8 keeps its escaped form, and control characters become "_". mime.FormatMediaType
// quotes it, writing a non-ASCII name as RFC 2231's filename*.
func downloadName(path string) string {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if raw, err := source.UnescapePath(name); err == nil && utf8.ValidString(raw) {
		name = raw
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, name)
}

type askRequest struct {
	Question     string `json:"question"`
	Conversation string `json:"conversation"`
}

type askResponse struct {
	answer.Response
	Conversation string `json:"conversation"`
	// Blocks is the answer parsed from Markdown, for the page's script to show (see
	// markdown.go).
	Blocks []block `json:"blocks"`
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"request body must be JSON like {\"question\": \"...\", \"conversation\": \"optional id\"}: " + err.Error()})
		return
	}
	if strings.TrimSpace(req.Question) == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"question: must not be empty"})
		return
	}
	if len(req.Question) > maxQuestion {
		writeJSON(w, http.StatusBadRequest, apiError{fmt.Sprintf("question: at most %d bytes", maxQuestion)})
		return
	}
	for field, v := range map[string]string{"question": req.Question, "conversation": req.Conversation} {
		if err := checkText(field, v); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{err.Error()})
			return
		}
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		resp, conv, err := s.answer(r, req.Question, req.Conversation, nil)
		switch {
		case errors.Is(err, errRateLimited):
			writeJSON(w, http.StatusTooManyRequests, apiError{askError(err)})
		case err != nil:
			if postgres.Unavailable(err) {
				s.apiFail(w, err)
				return
			}
			writeJSON(w, http.StatusBadGateway, apiError{askError(err)})
		default:
			writeJSON(w, http.StatusOK, askResponse{resp, conv, answerBlocks(resp)})
		}
		return
	}
	s.streamAsk(w, r, req)
}

// streamAsk answers as server-sent events: "token" events as the answer is produced, then one
// "answer" event with the whole response, or an "error" event.
func (s *Server) streamAsk(w http.ResponseWriter, r *http.Request, req askRequest) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, apiError{"streaming is not supported here"})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	event := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			// The status has gone out: say so in the stream rather than send empty data.
			s.Log.Error("encoding an answer event", "event", name, "err", err)
			name, b = "error", []byte(`{"error":"internal error: the answer could not be encoded; the server log has the details"}`)
		}
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		flusher.Flush()
	}
	resp, conv, err := s.answer(r, req.Question, req.Conversation, func(tok string) {
		event("token", map[string]string{"text": tok})
	})
	if err != nil {
		event("error", map[string]any{"error": askError(err), "response": askResponse{resp, conv, answerBlocks(resp)}})
		return
	}
	event("answer", askResponse{resp, conv, answerBlocks(resp)})
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.runSearch(r)
	if err != nil {
		s.apiFail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": res})
}

// apiSources lists the sources the reader can see documents of; admins get every source
// with its counts.
func (s *Server) apiSources(w http.ResponseWriter, r *http.Request) {
	if !userFrom(r.Context()).Admin {
		names, err := s.visibleSources(r)
		if err != nil {
			s.apiFail(w, err)
			return
		}
		out := []map[string]string{}
		for _, n := range names {
			out = append(out, map[string]string{"name": n})
		}
		writeJSON(w, http.StatusOK, map[string]any{"sources": out})
		return
	}
	all, err := source.Report(r.Context(), s.Pool, "")
	if err != nil {
		s.apiFail(w, err)
		return
	}
	type sourceJSON struct {
		Name      string          `json:"name"`
		Root      string          `json:"root"`
		Groups    []string        `json:"groups"`
		Rules     []source.Rule   `json:"rules"`
		Documents int64           `json:"documents"`
		Chunks    int64           `json:"chunks"`
		LastRunAt *time.Time      `json:"last_run_at"`
		LastRun   *source.Summary `json:"last_run"`
		Problems  int             `json:"problems"`
	}
	out := []sourceJSON{}
	for _, st := range all {
		out = append(out, sourceJSON{st.Name, st.Root, nonNil(st.Groups), st.Rules, st.Documents, st.Chunks, st.LastRunAt, st.LastRun, len(st.Problems)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": out})
}

func (s *Server) apiReindex(w http.ResponseWriter, r *http.Request) {
	job, err := s.Jobs.Enqueue(r.Context(), r.PathValue("name"), userFrom(r.Context()).Name)
	switch {
	case errors.Is(err, source.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{"no source named " + r.PathValue("name")})
	case err != nil:
		s.apiFail(w, err)
	default:
		writeJSON(w, http.StatusAccepted, map[string]any{"job": job.ID, "status": job.Status})
	}
}

func (s *Server) apiJob(w http.ResponseWriter, r *http.Request) {
	s.jobResponse(w, r, s.Jobs.Get)
}

func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request) {
	s.jobResponse(w, r, s.Jobs.Cancel)
}

// jobResponse runs op on the job of the path and writes the job.
func (s *Server) jobResponse(w http.ResponseWriter, r *http.Request, op func(context.Context, int64) (reindex.Job, error)) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"job id must be a number"})
		return
	}
	job, err := op(r.Context(), id)
	switch {
	case errors.Is(err, reindex.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{"no such job"})
	case err != nil:
		s.apiFail(w, err)
	default:
		writeJSON(w, http.StatusOK, job)
	}
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

type apiError struct {
	Error string `json:"error"`
}

// writeJSON encodes v into a buffer before writing the status, so a value that cannot be
// encoded (a NaN score) never goes out as a truncated 200. Such a value is a bug in Docent, not
// in the request: it panics, and the recoverer logs it and answers 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		panic(fmt.Errorf("encoding the JSON response: %w", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// publicError says what went wrong without internals a reader should not see.
func publicError(err error) string {
	switch {
	case postgres.Unavailable(err):
		return unavailable
	case errors.Is(err, context.DeadlineExceeded):
		return "it took too long; try again"
	case errors.Is(err, context.Canceled):
		return "the request was cancelled"
	}
	return "an internal error occurred; the server log has the details"
}

// render writes c into a buffer first, so a failing template never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers with msg: JSON for the API, a page for the browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, status, apiError{msg})
		return
	}
	s.render(w, r, status, errorPage(s.pageFor(r, "Error", ""), msg))
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if postgres.Unavailable(err) {
		w.Header().Set("Retry-After", retryAfter)
		s.fail(w, r, http.StatusServiceUnavailable, "Docent's "+unavailable+".")
		return
	}
	s.fail(w, r, http.StatusInternalServerError, "Internal error: the server log has the details.")
}

// unavailable is what readers are told while PostgreSQL restarts or cannot be reached: the
// pool reconnects by itself once it is back.
const (
	unavailable = "database is unavailable (restarting or unreachable); try again in a moment"
	retryAfter  = "5"
)

// pageStatus is the status of a page that shows err in place of its results: 503 with
// Retry-After while the database is unavailable, so monitors and proxies see the outage.
func (s *Server) pageStatus(w http.ResponseWriter, err error) int {
	if postgres.Unavailable(err) {
		w.Header().Set("Retry-After", retryAfter)
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// apiFail answers an API request that failed: 400 with the message for bad input, 503 with
// Retry-After while the database is unavailable, else 500, whose details go to the log only.
func (s *Server) apiFail(w http.ResponseWriter, err error) {
	var bad badRequest
	if errors.As(err, &bad) {
		writeJSON(w, http.StatusBadRequest, apiError{bad.msg})
		return
	}
	s.Log.Error("request failed", "err", err)
	status := http.StatusInternalServerError
	if postgres.Unavailable(err) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, apiError{publicError(err)})
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
				s.internal(w, r, fmt.Errorf("panic: %v", v))
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
