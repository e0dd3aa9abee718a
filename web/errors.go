package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/docent-search/docent/internal/postgres"
)

// problem is a failure the client may be told about as it is: bad input, a missing document,
// a conflict. Every other error is logged and described to the client only by its kind.
type problem struct {
	status int
	msg    string
}

func (p problem) Error() string { return p.msg }

// badRequest is a 400 whose message names the field or parameter at fault.
func badRequest(msg string) error { return problem{http.StatusBadRequest, msg} }

// notFound is a 404; a document outside the reader's groups is reported with it too.
func notFound(msg string) error { return problem{http.StatusNotFound, msg} }

// forbidden is a 403: the request names something that is someone else's.
func forbidden(msg string) error { return problem{http.StatusForbidden, msg} }

var (
	errRateLimited = errors.New("rate limited")
	// errUpstream marks a failure while answering (the model, or retrieval behind it): the
	// request was fine, what Docent relies on was not, hence 502.
	errUpstream = errors.New("answering failed")
)

// unavailable is what readers are told while PostgreSQL restarts or cannot be reached: the
// pool reconnects by itself once it is back.
const (
	unavailable = "Docent's database is unavailable (restarting or unreachable); try again in a moment."
	retryAfter  = "5"
)

// classify is the one mapping from an error to the response status and what the client is
// told. Bad input, missing things, rate limits and a full server (503) are told as they are;
// anything else only by its kind, never internals: a database outage (503), a timeout (504), a
// cancelled request (503), a failed answer (502), else an internal error (500). told says which
// of the two it was.
func classify(err error) (status int, msg string, told bool) {
	var p problem
	switch {
	case errors.As(err, &p):
		return p.status, p.msg, true
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests, "You are asking questions faster than allowed. Wait a minute and try again.", true
	case errors.Is(err, errBusy):
		return http.StatusServiceUnavailable, "Docent is busy with other searches and questions; try again in a few seconds.", true
	case postgres.Unavailable(err):
		return http.StatusServiceUnavailable, unavailable, false
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "It took too long; try again in a moment.", false
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "The request was cancelled.", false
	case errors.Is(err, errUpstream):
		return http.StatusBadGateway, "The model, or the search behind it, failed; the server log has the details.", false
	}
	return http.StatusInternalServerError, "Internal error: the server log has the details.", false
}

// explain is classify for a response: an error the client is not told as it is gets logged,
// and a database outage or a full server carries Retry-After, so clients, monitors and proxies
// know when to come back.
func (s *Server) explain(w http.ResponseWriter, r *http.Request, err error) (int, string) {
	status, msg, told := classify(err)
	if !told {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	switch {
	case postgres.Unavailable(err):
		w.Header().Set("Retry-After", retryAfter)
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", s.admission.retryAfter)
	}
	return status, msg
}

// error answers a request that failed with err, as explain says: JSON for the API, a page for
// the browser.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := s.explain(w, r, err)
	s.fail(w, r, status, msg)
}

// fail answers with msg: JSON for the API and MCP (an assistant refused for its key or its
// body's size got an HTML page), a page for the browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/mcp" {
		writeJSON(w, status, apiError{msg})
		return
	}
	s.render(w, r, status, errorPage(s.pageFor(r, "Error", ""), msg))
}

type apiError struct {
	Error string `json:"error"`
}

// decodeJSON reads the request body (at most maxBody) as one JSON value into v: a field v does
// not have, or anything but white space after the value, is an error, so that a malformed
// body is refused rather than half read; and so are a key given twice and text that is not
// UTF-8 (checkJSON).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return checkJSON(json.NewDecoder(bytes.NewReader(body)), body, "")
}

// checkJSON refuses, naming the field (path, dotted), what encoding/json lets through without
// a word: a key given twice, of which it keeps the last, so that what a proxy or an audit
// read first is not what Docent acts on; and a string that is not UTF-8, whose bytes it turns
// into U+FFFD, stored as if typed. body is what dec reads, already decoded once (its nesting
// is bounded).
func checkJSON(dec *json.Decoder, body []byte, path string) error {
	start := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			start := dec.InputOffset()
			k, err := dec.Token()
			if err != nil {
				return err
			}
			field := strings.TrimPrefix(path+"."+k.(string), ".")
			switch {
			case !utf8.Valid(body[start:dec.InputOffset()]):
				return fmt.Errorf("%s: a key must be valid UTF-8 text", field)
			case seen[k.(string)]:
				return fmt.Errorf("%s: given twice", field)
			}
			seen[k.(string)] = true
			if err := checkJSON(dec, body, field); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := checkJSON(dec, body, path); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	if _, ok := tok.(string); ok && !utf8.Valid(body[start:dec.InputOffset()]) {
		return fmt.Errorf("%s: must be valid UTF-8 text", path)
	}
	return nil
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

// render writes c into a buffer first, so a failing template never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		// Not s.error, whose error page is rendered here too: with the request's context
		// cancelled (the client went away) every render fails, and that recursion ran until
		// the stack overflowed, which kills the server.
		if r.Context().Err() == nil {
			s.Log.Error("rendering a page", "path", r.URL.Path, "err", err)
		}
		http.Error(w, "Internal error: the page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
