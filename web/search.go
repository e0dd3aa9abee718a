package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/source"
)

// searchResult is one passage found, as the search page and GET /api/search show it.
type searchResult struct {
	Source   string `json:"source"`
	Document string `json:"document"`
	Title    string `json:"title"`
	Heading  string `json:"heading"`
	Page     int    `json:"page"`
	Anchor   string `json:"anchor"`
	// OCR marks text recognised from a scan: it may hold recognition errors.
	OCR     bool    `json:"ocr"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
	URL     string  `json:"url"`
	// Pinned is true for a document an admin pinned for this question (a curated answer's).
	Pinned      bool `json:"pinned"`
	snippetHTML string
}

// runSearch parses the search parameters shared by the page and the API, and searches. It
// returns the results and, when a misspelt word was read as another (retrieve's Correct), the
// query searched for.
func (s *Server) runSearch(r *http.Request) ([]searchResult, string, error) {
	q := r.URL.Query()
	limit := 10
	for _, key := range []string{"k", "limit"} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return nil, "", badRequest(key + ": want a whole number from 1 to 100")
			}
			limit = n
		}
	}
	p, err := textParams(q, "q", "source", "path", "type", "after", "before")
	if err != nil {
		return nil, "", err
	}
	query := retrieve.Query{Text: question(p["q"]), Groups: groups(r), Limit: limit,
		Source: p["source"], PathPrefix: p["path"], Type: p["type"]}
	for key, dst := range map[string]*time.Time{"after": &query.After, "before": &query.Before} {
		if v := p[key]; v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return nil, "", badRequest(key + ": want a date such as 2026-01-31")
			}
			*dst = t
		}
	}
	var corrected string
	if text, changed, err := s.Searcher.Correct(r.Context(), query.Text, query.Groups); err != nil {
		return nil, "", err
	} else if changed {
		query.Text, corrected = text, text
	}
	// A query that matches a curated answer the reader may see finds its pinned documents first.
	if m := s.curatedFor(r, query.Text); m != nil {
		query.Pinned = m.Documents
	}
	start := time.Now()
	rs, err := s.Searcher.Search(r.Context(), query)
	s.Metrics.retrieval.Observe(time.Since(start).Seconds())
	if err != nil {
		return nil, "", err
	}
	out := make([]searchResult, 0, len(rs))
	for _, x := range rs {
		out = append(out, searchResult{Source: x.Source, Document: x.Path, Title: x.Title, Heading: x.Heading,
			Page: x.Page, Anchor: x.Anchor, OCR: x.OCR, Snippet: x.Snippet(), Score: x.Score, URL: answer.DocURL(x), Pinned: x.Pinned, snippetHTML: x.SnippetHTML()})
	}
	return out, corrected, nil
}

// search is the search page: the form with its filters and, after a search, the passages found.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := searchModel{page: s.pageFor(r, "Search", "search"), Query: q.Get("q"), Source: q.Get("source"), Type: q.Get("type"), After: q.Get("after")}
	if names, err := s.visibleSources(r); err == nil {
		m.Sources = names
	}
	status := http.StatusOK
	m.Types = source.Types()
	if question(m.Query) != "" {
		m.Searched = true
		res, corrected, err := s.runSearch(r)
		if err != nil {
			status, m.Error = s.explain(w, r, err)
		}
		m.Results, m.Corrected = res, corrected
	}
	s.render(w, r, status, searchPage(m))
}

// visibleSources lists the sources holding at least one document the reader may see.
func (s *Server) visibleSources(r *http.Request) ([]string, error) {
	rows, err := s.Pool.Query(r.Context(), `SELECT s.name FROM sources s WHERE EXISTS (
		SELECT 1 FROM documents d WHERE d.source_id = s.id AND d.status = 'indexed'
		AND `+access.Visible("d", "$1")+`) ORDER BY s.name`, nonNil(groups(r)))
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

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	res, corrected, err := s.runSearch(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := map[string]any{"results": res}
	if corrected != "" {
		out["corrected"] = corrected
	}
	writeJSON(w, http.StatusOK, out)
}
