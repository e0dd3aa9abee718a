package answer

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/retrieve"
)

// Service answers questions: it retrieves for the reader, decides whether the documents cover
// the question at all, and asks the Answerer only when they do.
type Service struct {
	Searcher *retrieve.Searcher
	Answerer Answerer
	// Sources is how many passages the answer is composed from (default 5).
	Sources int
	// A passage is relevant enough to answer from when it covers at least MinCoverage of the
	// question's IDF-weighted terms, or its embedding is at least MinSimilarity close.
	// Defaults: DefaultMinCoverage and DefaultMinSimilarity.
	MinCoverage, MinSimilarity float64
	// ContextTokens bounds the source text given to the answerer (default 3000).
	ContextTokens int
}

// Response is an answer with its citations, as the API returns it.
type Response struct {
	Answer    string     `json:"answer"`
	Mode      string     `json:"mode"` // "llm" or "extractive"
	Model     string     `json:"model"`
	Found     bool       `json:"found"`
	Citations []Citation `json:"citations"`
	// Closest lists the nearest documents when nothing answers the question.
	Closest []Citation `json:"closest,omitempty"`
}

// Citation is one source the answer cites.
type Citation struct {
	N        int    `json:"n"`
	Source   string `json:"source"`
	Document string `json:"document"`
	Title    string `json:"title"`
	Heading  string `json:"heading"`
	Page     int    `json:"page"`
	Snippet  string `json:"snippet"`
	URL      string `json:"url"`
	// SnippetHTML is the snippet escaped, with matches marked, for the web page.
	SnippetHTML string `json:"-"`
}

// Relevance thresholds, calibrated with `indexer eval` (see README, "Not found").
const (
	DefaultMinCoverage   = 0.5
	DefaultMinSimilarity = 0.5
)

// NotFoundText is the answer when the documents do not cover a question.
const NotFoundText = "The indexed documents do not seem to answer this. The closest documents are listed below."

// Ask answers question for a reader in groups. emit, when set, receives the answer as it streams.
func (s *Service) Ask(ctx context.Context, question string, groups []string, emit func(string)) (Response, error) {
	resp := Response{Mode: "extractive", Model: s.Answerer.Name(), Citations: []Citation{}}
	if s.Answerer.Name() != "extractive" {
		resp.Mode = "llm"
	}
	results, err := s.Searcher.Search(ctx, retrieve.Query{Text: question, Groups: groups, Limit: cmp.Or(s.Sources, 5)})
	if err != nil {
		return resp, err
	}
	relevant := results[:0:0]
	for _, r := range results {
		if r.Coverage >= cmp.Or(s.MinCoverage, DefaultMinCoverage) || r.Similarity >= cmp.Or(s.MinSimilarity, DefaultMinSimilarity) {
			relevant = append(relevant, r)
		}
	}
	if len(relevant) == 0 {
		return notFound(resp, results, emit), nil
	}
	relevant = Budget(relevant, cmp.Or(s.ContextTokens, 3000))
	text, err := s.Answerer.Answer(ctx, question, relevant, emit)
	if err != nil {
		return resp, fmt.Errorf("composing the answer: %w", err)
	}
	text, cited := resolveCitations(text, len(relevant))
	if strings.TrimSpace(text) == "" {
		return notFound(resp, results, emit), nil
	}
	resp.Answer, resp.Found = text, true
	for _, n := range cited {
		resp.Citations = append(resp.Citations, citation(n, relevant[n-1]))
	}
	return resp, nil
}

func notFound(resp Response, closest []retrieve.Result, emit func(string)) Response {
	resp.Answer = NotFoundText
	if emit != nil {
		emit(resp.Answer)
	}
	for i, r := range closest {
		resp.Closest = append(resp.Closest, citation(i+1, r))
	}
	return resp
}

func citation(n int, r retrieve.Result) Citation {
	return Citation{
		N: n, Source: r.Source, Document: r.Path, Title: r.Title, Heading: r.Heading, Page: r.Page,
		Snippet: r.Snippet(), SnippetHTML: r.SnippetHTML(), URL: DocURL(r),
	}
}

// DocURL is the deep link to a passage: the document view scrolled to the chunk.
func DocURL(r retrieve.Result) string {
	return "/doc/" + strconv.FormatInt(r.DocumentID, 10) + "?chunk=" + strconv.FormatInt(r.ChunkID, 10) + "#passage"
}

var marker = regexp.MustCompile(`\[(\d{1,3})\]`)

// resolveCitations removes [n] markers that point at no source and returns the cited numbers
// in order of first use.
func resolveCitations(text string, sources int) (string, []int) {
	var cited []int
	seen := map[int]bool{}
	text = marker.ReplaceAllStringFunc(text, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if n < 1 || n > sources {
			return ""
		}
		if !seen[n] {
			seen[n] = true
			cited = append(cited, n)
		}
		return m
	})
	return text, cited
}
