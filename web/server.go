// Package web is Docent's browser UI and JSON API: templ pages rendered on the server, handlers
// beside them, and static assets embedded in the binary.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed static
var static embed.FS

// Server holds what the handlers need.
type Server struct {
	Pool     *pgxpool.Pool
	Searcher *retrieve.Searcher
	Asker    *answer.Service
	Log      *slog.Logger
}

// Handler returns the route table.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.ask)
	mux.HandleFunc("GET /doc/{id}", s.document)
	mux.HandleFunc("POST /api/ask", s.apiAsk)
	mux.HandleFunc("GET /api/search", s.apiSearch)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /static/", http.FileServerFS(static))
	return s.recoverer(securityHeaders(mux))
}

// groups returns the reader's access groups. Until sign-in exists every reader is anonymous
// and sees only documents without groups: the safe default.
func (s *Server) groups(*http.Request) []string { return nil }

type askModel struct {
	Question string
	Asked    bool
	Response answer.Response
	Parts    []part
	Error    string
}

// part is a piece of answer text, or a citation marker when N > 0.
type part struct {
	Text       string
	N          int
	URL, Title string
}

func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	m := askModel{Question: strings.TrimSpace(r.URL.Query().Get("q"))}
	if m.Question != "" {
		m.Asked = true
		resp, err := s.Asker.Ask(r.Context(), answer.Request{Question: m.Question, Groups: s.groups(r)}, nil)
		if err != nil {
			s.Log.Error("answering failed", "err", err, "path", r.URL.Path)
			m.Error = "Docent could not answer just now: " + publicError(err)
		}
		m.Response = resp
		m.Parts = splitAnswer(resp)
	}
	s.render(w, r, http.StatusOK, askPage(m))
}

// splitAnswer turns "text [1] more [2]" into parts the template links.
func splitAnswer(resp answer.Response) []part {
	byN := map[int]answer.Citation{}
	for _, c := range resp.Citations {
		byN[c.N] = c
	}
	var parts []part
	text := resp.Answer
	for {
		i := strings.IndexByte(text, '[')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], ']')
		if j < 0 {
			break
		}
		n, err := strconv.Atoi(text[i+1 : i+j])
		c, ok := byN[n]
		if err != nil || !ok {
			parts = append(parts, part{Text: text[:i+j+1]})
		} else {
			parts = append(parts, part{Text: text[:i]}, part{N: n, URL: c.URL, Title: c.Title})
		}
		text = text[i+j+1:]
	}
	return append(parts, part{Text: text})
}

type docModel struct {
	Title, Source, Path    string
	Before, Passage, After string
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.renderError(w, r, http.StatusNotFound, "No such document.")
		return
	}
	var m docModel
	var groups []string
	var body string
	err = s.Pool.QueryRow(r.Context(), `SELECT d.title, s.name, d.path, d.groups, d.body
		FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = $1 AND d.status = 'indexed'`, id).
		Scan(&m.Title, &m.Source, &m.Path, &groups, &body)
	// A document the reader may not see is answered exactly like one that does not exist.
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !visible(groups, s.groups(r)) {
		s.renderError(w, r, http.StatusNotFound, "No such document.")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m.Before = body
	if chunk, err := strconv.ParseInt(r.URL.Query().Get("chunk"), 10, 64); err == nil {
		var start, end int
		err := s.Pool.QueryRow(r.Context(), `SELECT start_offset, end_offset FROM chunks WHERE id = $1 AND document_id = $2`, chunk, id).Scan(&start, &end)
		if err == nil && start >= 0 && start <= end && end <= len(body) {
			m.Before, m.Passage, m.After = body[:start], body[start:end], body[end:]
		}
	}
	s.render(w, r, http.StatusOK, docPage(m))
}

func visible(docGroups, readerGroups []string) bool {
	if len(docGroups) == 0 {
		return true
	}
	return slices.ContainsFunc(docGroups, func(g string) bool { return slices.Contains(readerGroups, g) })
}

type askRequest struct {
	Question     string `json:"question"`
	Conversation string `json:"conversation"`
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	var req askRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"request body must be JSON like {\"question\": \"...\"}: " + err.Error()})
		return
	}
	if strings.TrimSpace(req.Question) == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"question: must not be empty"})
		return
	}
	resp, err := s.Asker.Ask(r.Context(), answer.Request{Question: req.Question, Groups: s.groups(r)}, nil)
	if err != nil {
		s.Log.Error("answering failed", "err", err)
		writeJSON(w, http.StatusBadGateway, apiError{publicError(err)})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

type searchResult struct {
	Source   string  `json:"source"`
	Document string  `json:"document"`
	Title    string  `json:"title"`
	Heading  string  `json:"heading"`
	Page     int     `json:"page"`
	Anchor   string  `json:"anchor"`
	Snippet  string  `json:"snippet"`
	Score    float64 `json:"score"`
	URL      string  `json:"url"`
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") != "" && (err != nil || limit < 1 || limit > 100) {
		writeJSON(w, http.StatusBadRequest, apiError{"limit: want a whole number from 1 to 100"})
		return
	}
	rs, err := s.Searcher.Search(r.Context(), retrieve.Query{Text: q.Get("q"), Groups: s.groups(r), Limit: limit,
		Source: q.Get("source"), PathPrefix: q.Get("path"), Type: q.Get("type")})
	if err != nil {
		s.Log.Error("search failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, apiError{publicError(err)})
		return
	}
	out := make([]searchResult, 0, len(rs))
	for _, x := range rs {
		out = append(out, searchResult{Source: x.Source, Document: x.Path, Title: x.Title, Heading: x.Heading,
			Page: x.Page, Anchor: x.Anchor, Snippet: x.Snippet(), Score: x.Score, URL: answer.DocURL(x)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Pool.Ping(ctx); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ready\n"))
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// publicError says what went wrong without internals a reader should not see.
func publicError(err error) string {
	switch {
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
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, errorPage(status, msg))
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Internal error: the server log has the details.", http.StatusInternalServerError)
}

// recoverer turns a handler panic into a 500 for that request alone.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
