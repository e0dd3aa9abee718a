package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/textseg"
)

// textParams returns the query parameters named in keys, or a badRequest naming the first that
// holds a NUL byte or invalid UTF-8 (PostgreSQL refuses both in text, and the reader should
// learn which parameter was wrong rather than get a 500), or is longer than maxQuestion: a
// question typed into a link is held to the bound the API and the forms set, not read
// whole by retrieval and the answerer.
func textParams(q url.Values, keys ...string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		v := q.Get(k)
		if err := checkText(k, v); err != nil {
			return nil, err
		}
		if len(v) > maxQuestion {
			return nil, badRequest(fmt.Sprintf("%s: at most %d bytes", k, maxQuestion))
		}
		out[k] = v
	}
	return out, nil
}

// checkQuery answers a request whose query string does not parse ("q=%zz") with 400 naming
// it: net/http's Query drops what it cannot decode, so "?q=%zz" would search for nothing and
// say so as if the question had been asked.
func (s *Server) checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			s.error(w, r, badRequest("query string: "+err.Error()))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// question is a question or query as retrieval and the answerer read it: without the
// characters that show nothing (textseg.Invisible), which documents are indexed without, and
// without surrounding white space. A question of only such characters is empty.
func question(v string) string {
	return strings.TrimSpace(textseg.DropInvisible(v))
}

// checkPathValues answers 400 naming the wildcard when one of pattern's ({id}, {name}) holds
// text PostgreSQL refuses, as "%00" and "%FF" in a path do: every handler then reads its path
// values as text, and a source's or a key's name no longer reaches a query to come back a 500
// or PostgreSQL's own message.
func (s *Server) checkPathValues(pattern string, h http.HandlerFunc) http.HandlerFunc {
	var names []string
	for _, m := range pathWildcard.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		for _, name := range names {
			if err := checkText(name, r.PathValue(name)); err != nil {
				s.error(w, r, err)
				return
			}
		}
		h(w, r)
	}
}

// pathWildcard matches a wildcard of a ServeMux pattern ("{id}", "{path...}"), not "{$}".
var pathWildcard = regexp.MustCompile(`\{(\w+)(?:\.\.\.)?\}`)

// checkText refuses text PostgreSQL cannot store (postgres.StorableText), naming the field it
// came from.
func checkText(field, v string) error {
	if !postgres.StorableText(v) {
		return badRequest(field + ": must be valid UTF-8 text without NUL characters")
	}
	return nil
}

// sameOrigin reports whether a GET may create state on the reader's behalf: it comes from one
// of Docent's own pages (or was typed or bookmarked), not from a link or form on another site,
// which could otherwise record questions in the victim's name. Browsers say so in
// Sec-Fetch-Site; for an older browser without it, a Referer from another host gives a
// cross-site request away, and a request with neither (curl, scripts) is not a browser's.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && strings.EqualFold(u.Host, r.Host)
	}
	return true
}
