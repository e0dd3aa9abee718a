package answer

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// question's IDF-weighted terms, or its similarity stands at least MinMargin above that of
	// the question's nearest passages (retrieve.Result.Margin). Defaults: DefaultMinCoverage
	// and DefaultMinMargin.
	MinCoverage, MinMargin float64
	// ContextTokens bounds the source text given to the answerer (default 3000).
	ContextTokens int
}

// Response is an answer with its citations, as the API returns it.
type Response struct {
	Answer string `json:"answer"`
	Mode   string `json:"mode"` // "llm" or "extractive"
	Model  string `json:"model"`
	Found  bool   `json:"found"`
	// Question is what was searched: the question itself, or a follow-up made standalone.
	Question  string     `json:"question"`
	Citations []Citation `json:"citations"`
	// Closest lists the nearest documents when nothing answers the question.
	Closest []Citation `json:"closest,omitempty"`
	// Context holds the ids of the documents whose passages a model was given, cited or not:
	// an answer is shown to another reader only when they may read all of them (a shared
	// link), since its text may draw on any. Empty for an extractive answer, which quotes only
	// what it cites.
	Context []int64 `json:"context,omitempty"`
	// Curated is the admin's curated answer shown above this one, when the question matches
	// one the reader may see (set by the caller: see internal/curated); null otherwise.
	Curated *Curated `json:"curated"`
}

// Curated is a curated answer as a reader sees it.
type Curated struct {
	ID       int64  `json:"id"`
	Answer   string `json:"answer"`
	Owner    string `json:"owner"`
	ReviewBy string `json:"review_by"`
	// Reviewed is the date it was last written or checked (YYYY-MM-DD).
	Reviewed string `json:"reviewed"`
	// Expired is true once the review-by date has passed: the page flags it.
	Expired bool `json:"expired"`
}

// Citation is one source the answer cites.
type Citation struct {
	N          int    `json:"n"`
	DocumentID int64  `json:"document_id"`
	Source     string `json:"source"`
	Document   string `json:"document"`
	Title      string `json:"title"`
	Heading    string `json:"heading"`
	Page       int    `json:"page"`
	// OCR marks a passage recognised from a scan, shown as "text recognised from a scan".
	OCR     bool   `json:"ocr"`
	Snippet string `json:"snippet"`
	URL     string `json:"url"`
	// Supported is false when a sentence citing this source shares too few content words
	// with it: the citation is shown, flagged, rather than hidden.
	Supported bool `json:"supported"`
	// Score is the passage's fused retrieval score, kept with feedback to see how sure
	// retrieval was of what a reader rated.
	Score float64 `json:"score"`
	// SnippetHTML is the snippet escaped, with matches marked, for the web page.
	SnippetHTML string `json:"-"`
}

// Relevance thresholds, calibrated on answerable and unanswerable questions of every dev set
// pooled: `make eval EVAL_ARGS='-calibrate'` (README, "When the documents do not answer") fits
// them on each question's decision (`indexer eval --negatives FILE --decisions FILE`), balancing
// the share answered of the questions whose top passage is a judged answer against the share
// declined of the questions nothing answers, each averaged over the sets. Coverage alone is weak
// evidence: in a manual that uses the question's everyday words everywhere ("merge", "request",
// "files"), the top passage of a question it does not answer still holds about half of the
// question's weight (Git's manual: GitLab merge requests, Git LFS, Jenkins jobs reach 0.41-0.68),
// so coverage counts alone only when it is more than half of the question; below that the
// passage must stand out from the question's nearest passages. The pooled fit is 0.55 / 0.18
// (balance 0.783): git-doc answers 0.83 of its rightly ranked questions and declines 0.75 of its
// unanswerable ones, handbook-eval 0.90 and 0.92, handbook-everyday 0.39 and 0.80,
// handbook-paraphrase answers 0.65, SciFact 0.79, NFCorpus 0.91. Fitted without handbook-eval,
// the margin falls to 0.12 and handbook-eval declines a third: its questions on other topics set
// the safe value. Questions in other words than the documents are declined because their margins
// (0.10-0.175 where declined) are those of unanswerable questions on the documents' topics and,
// in a small collection, of questions on other topics altogether; no other evidence measured
// (margins against other references, z-scores against the nearest passages or the whole
// collection, the best sentence, the word-vector part of the similarity, coverage counted with
// word-vector neighbours, a logistic model) separates them better by more than a question, and
// each depends more on the set left out. The margin does not move with an embedder's offset of
// cosines, as an absolute similarity does, but it does with their scale: an embedder whose
// cosines crowd into a narrow range would need its own calibration.
const (
	DefaultMinCoverage = 0.55
	DefaultMinMargin   = 0.18
)

// Relevant reports whether a passage speaks to the question enough to answer from: it contains
// at least minCoverage of the question's IDF-weighted terms, or its similarity stands at least
// minMargin above the question's nearest passages. A passage of a document an admin pinned for
// the question (a curated answer's) is relevant by that choice.
func Relevant(r retrieve.Result, minCoverage, minMargin float64) bool {
	return r.Pinned || r.Coverage >= minCoverage || r.Margin >= minMargin
}

// NotFoundText is the answer when the documents do not cover a question.
const NotFoundText = "The indexed documents do not seem to answer this. The closest documents are listed below."

// Request is a question from a reader.
type Request struct {
	Question string
	// History holds the earlier questions of the conversation, oldest first.
	History []string
	// Groups are the reader's access groups.
	Groups []string
	// Pinned are the ids of documents to put first among the sources (a curated answer's
	// pinned documents the reader may see).
	Pinned []int64
}

// Ask answers a question. emit, when set, receives the answer as it streams.
func (s *Service) Ask(ctx context.Context, req Request, emit func(string)) (Response, error) {
	resp := Response{Mode: "extractive", Model: s.Answerer.Name(), Citations: []Citation{}}
	if s.Answerer.Name() != "extractive" {
		resp.Mode = "llm"
	}
	question, err := s.Answerer.Standalone(ctx, req.History, req.Question)
	if err != nil {
		return resp, fmt.Errorf("understanding the follow-up: %w", err)
	}
	// A misspelt word is read as the word the reader's documents hold ("vacaton" as vacation).
	if question, _, err = s.Searcher.Correct(ctx, question, req.Groups); err != nil {
		return resp, err
	}
	resp.Question = question
	results, err := s.Searcher.Search(ctx, retrieve.Query{Text: question, Groups: req.Groups, Limit: cmp.Or(s.Sources, 5), Pinned: req.Pinned})
	if err != nil {
		return resp, err
	}
	// The documents answer when the top passage does; the answer then draws on every
	// passage of the top ones that is relevant too.
	minCoverage, minMargin := cmp.Or(s.MinCoverage, DefaultMinCoverage), cmp.Or(s.MinMargin, DefaultMinMargin)
	if len(results) == 0 || !Relevant(results[0], minCoverage, minMargin) {
		return notFound(resp, results, emit), nil
	}
	relevant := results[:0:0]
	for _, r := range results {
		if Relevant(r, minCoverage, minMargin) {
			relevant = append(relevant, r)
		}
	}
	relevant = Budget(relevant, cmp.Or(s.ContextTokens, 3000))
	// A model may draw on any passage it was given; an extractive answer quotes only the
	// passages it cites, which the citations already name.
	for _, r := range relevant {
		if resp.Mode == "llm" && !slices.Contains(resp.Context, r.DocumentID) {
			resp.Context = append(resp.Context, r.DocumentID)
		}
	}
	text, err := s.Answerer.Answer(ctx, question, relevant, emit)
	if err != nil {
		// The model failed, but retrieval did not: the reader still gets the passages found.
		for i, r := range relevant {
			resp.Closest = append(resp.Closest, citation(i+1, r))
		}
		return resp, fmt.Errorf("composing the answer: %w", err)
	}
	text, cited := resolveCitations(text, len(relevant))
	if strings.TrimSpace(text) == "" {
		return notFound(resp, results, emit), nil
	}
	resp.Answer, resp.Found = text, true
	weak := unsupported(text, relevant)
	for _, n := range cited {
		c := citation(n, relevant[n-1])
		c.Supported = !weak[n]
		resp.Citations = append(resp.Citations, c)
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
		N: n, DocumentID: r.DocumentID, Source: r.Source, Document: r.Path, Title: r.Title, Heading: r.Heading, Page: r.Page, OCR: r.OCR,
		Snippet: r.Snippet(), SnippetHTML: r.SnippetHTML(), URL: DocURL(r), Score: r.Score,
	}
}

// DocURL is the deep link to a passage: the document view scrolled to the chunk.
func DocURL(r retrieve.Result) string {
	return "/doc/" + strconv.FormatInt(r.DocumentID, 10) + "?chunk=" + strconv.FormatInt(r.ChunkID, 10) + "#passage"
}

// minSupport is the share of a sentence's content words its cited passage must contain.
const minSupport = 0.5

// unsupported returns the source numbers cited for at least one claim that shares less than
// minSupport of its content words with that source. A claim is the text before a marker, back
// to the previous marker, so "A. [1] B [2]." and "A [1]. B [2]." both attach A to 1 and B to 2.
func unsupported(answer string, sources []retrieve.Result) map[int]bool {
	weak := map[int]bool{}
	var claim map[string]bool
	prev := 0
	for _, m := range marker.FindAllStringSubmatchIndex(answer, -1) {
		if words := termSet(answer[prev:m[0]]); len(words) > 0 {
			claim = words // else: adjacent markers share the claim before them
		}
		prev = m[1]
		n, _ := strconv.Atoi(answer[m[2]:m[3]])
		if n < 1 || n > len(sources) || len(claim) == 0 {
			continue
		}
		source := termSet(sources[n-1].Title + " " + sources[n-1].Heading + " " + sources[n-1].Text)
		shared := 0
		for w := range claim {
			if source[w] {
				shared++
			}
		}
		if float64(shared) < minSupport*float64(len(claim)) {
			weak[n] = true
		}
	}
	return weak
}

var marker = regexp.MustCompile(`\[(\d{1,3})\]`)

// subscript reports whether a bracketed number written after before indexes something: before
// ends in a letter, an underscore or a closing bracket, one that closes no [n] (a citation
// run: "[1][7]") unless that [n] is a subscript itself ("m[2][7]").
func subscript(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	if r == ']' {
		digits := strings.TrimRight(before[:len(before)-1], "0123456789")
		if n := len(before) - 1 - len(digits); n >= 1 && n <= 3 && strings.HasSuffix(digits, "[") {
			return subscript(digits[:len(digits)-1])
		}
	}
	return r == '_' || r == ']' || r == ')' || unicode.IsLetter(r)
}

// resolveCitations removes [n] markers that point at no source and returns the cited numbers
// in order of first use. Removing a marker can join its neighbours into a new one ("[0[0]]"
// becomes "[0]"), so it repeats until nothing changes. A bracketed number right after a
// letter, underscore or closing bracket that points at no source indexes code
// ("row[0]", "m[2][7]" in a model's example), and stays as written.
func resolveCitations(text string, sources int) (string, []int) {
	valid := func(m string) bool {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		return n >= 1 && n <= sources
	}
	for range 100 {
		var b strings.Builder
		last := 0
		for _, m := range marker.FindAllStringIndex(text, -1) {
			if valid(text[m[0]:m[1]]) || subscript(text[:m[0]]) {
				continue
			}
			b.WriteString(text[last:m[0]])
			last = m[1]
		}
		if last == 0 {
			break
		}
		b.WriteString(text[last:])
		text = b.String()
	}
	var cited []int
	seen := map[int]bool{}
	for _, m := range marker.FindAllString(text, -1) {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if valid(m) && !seen[n] {
			seen[n] = true
			cited = append(cited, n)
		}
	}
	return text, cited
}
