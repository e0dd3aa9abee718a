// Package evaluate measures retrieval quality on BEIR-format test collections: it reads queries
// and relevance judgments, ranks documents with the same search the server uses, and computes
// nDCG@10, recall at 5, 10 and 100, MRR@10 and query latency. It also measures the answers
// themselves (answers.go): how many are given, which key facts they state, and whether their
// citations point at documents that answer.
package evaluate

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/evaluate/metric"
	"github.com/docent-search/docent/internal/retrieve"
)

// Query is one test query.
type Query struct {
	ID   string `json:"_id"`
	Text string `json:"text"`
}

// Qrels maps query id → document id → graded relevance (> 0 is relevant).
type Qrels map[string]map[string]int

// ReadQueries reads BEIR queries.jsonl: one {"_id": "...", "text": "..."} per line.
func ReadQueries(name string) ([]Query, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Query
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q Query
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil || q.ID == "" {
			return nil, fmt.Errorf("%s line %d: want {\"_id\": \"...\", \"text\": \"...\"}", name, line)
		}
		out = append(out, q)
	}
	return out, sc.Err()
}

// ReadQrels reads a BEIR qrels TSV with the header "query-id corpus-id score".
func ReadQrels(name string) (Qrels, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = '\t'
	r.FieldsPerRecord = -1
	out := Qrels{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		if line == 1 && len(rec) > 0 && rec[0] == "query-id" {
			continue
		}
		if len(rec) < 3 {
			return nil, fmt.Errorf("%s line %d: want query-id, corpus-id and score separated by tabs", name, line)
		}
		score, err := strconv.Atoi(strings.TrimSpace(rec[2]))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: score %q is not a whole number", name, line, rec[2])
		}
		if out[rec[0]] == nil {
			out[rec[0]] = map[string]int{}
		}
		out[rec[0]][rec[1]] = score
	}
	return out, nil
}

// Report holds the metrics of one evaluation.
type Report struct {
	NDCG10    float64 `json:"ndcg@10"`
	Recall5   float64 `json:"recall@5"`
	Recall10  float64 `json:"recall@10"`
	Recall100 float64 `json:"recall@100"`
	MRR10     float64 `json:"mrr@10"`
	Queries   int     `json:"queries"`
	P50ms     float64 `json:"p50_ms"`
	P95ms     float64 `json:"p95_ms"`
	// Answered is the share of queries whose top passage passes answer.Relevant: the
	// server would answer rather than say the documents do not cover the question. With
	// answers evaluated (see Answers), it is the share the answer path did answer.
	Answered float64 `json:"answered"`
	// FactRecall and CitationPrecision are set when answers are evaluated (see AnswerReport).
	FactRecall        *float64 `json:"fact_recall,omitempty"`
	CitationPrecision *float64 `json:"citation_precision,omitempty"`
}

// Ranked is one retrieved document for a query.
type Ranked struct {
	QueryID, Path string
	Rank          int
	Score         float64
}

// Options control a run.
type Options struct {
	K      int    // documents ranked per query (default 100)
	Source string // restrict to one source
	Mode   string // hybrid (default), lexical or vector
	Groups []string
	// Decided, when set, receives the answer decision of every query (Run: the judged ones;
	// Declined: the unanswerable ones), to calibrate the thresholds with (see Decision).
	Decided func(Decision)
}

// Decision is what the server would decide for one question, and the evidence it decided on:
// its top passage's coverage, margin and similarity (see answer.Relevant).
type Decision struct {
	QueryID string
	// Answerable is true for a judged question, false for one the documents do not answer.
	Answerable bool
	// Path is the top passage's document ("" when nothing was found) and Grade its judged
	// relevance to the question (0 when unjudged or unanswerable).
	Path                         string
	Grade                        int
	Coverage, Margin, Similarity float64
	Answered                     bool
}

// decision describes the top of results for query q.
func decision(q Query, answerable bool, results []retrieve.Result, judged map[string]int) Decision {
	d := Decision{QueryID: q.ID, Answerable: answerable, Answered: answers(results)}
	if len(results) > 0 {
		r := results[0]
		d.Path, d.Coverage, d.Margin, d.Similarity = r.Path, r.Coverage, r.Margin, r.Similarity
		g, ok := judged[r.Path]
		if !ok {
			g = judged[strings.TrimSuffix(r.Path, path.Ext(r.Path))]
		}
		d.Grade = g
	}
	return d
}

// Searcher ranks passages: *retrieve.Searcher, or a reference ranking to compare it with.
type Searcher interface {
	Search(ctx context.Context, q retrieve.Query) ([]retrieve.Result, error)
}

// corrector is a Searcher that reads misspelt words as the server does
// (retrieve.Searcher.Correct).
type corrector interface {
	Correct(ctx context.Context, text string, groups []string) (string, bool, error)
}

// searched is the text the server searches for a query's text: corrected in the hybrid mode,
// the server's; lexical-only and vector-only searches take it as written (lexical-only is
// compared with a reference BM25 over the same words).
func searched(ctx context.Context, s any, text string, opt Options) (string, error) {
	c, ok := s.(corrector)
	if !ok || cmp.Or(opt.Mode, "hybrid") != "hybrid" {
		return text, nil
	}
	text, _, err := c.Correct(ctx, text, opt.Groups)
	return text, err
}

// Run evaluates every judged query. Documents are ranked by their best chunk; a document
// matches a corpus id when its path equals the id, with or without its extension. A query
// never retrieves the document whose id equals its own (BEIR's ArguAna convention).
func Run(ctx context.Context, s Searcher, queries []Query, qrels Qrels, opt Options) (Report, []Ranked, error) {
	k := cmp.Or(opt.K, 100)
	var rep Report
	var run []Ranked
	var latencies []float64
	for _, q := range queries {
		judged := qrels[q.ID]
		if len(judged) == 0 {
			continue
		}
		start := time.Now()
		text, err := searched(ctx, s, q.Text, opt)
		if err != nil {
			return rep, nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		results, err := s.Search(ctx, retrieve.Query{Text: text, Limit: k + 1, PerDocument: 1, NoSnippets: true, Source: opt.Source, Mode: opt.Mode, Groups: opt.Groups})
		if err != nil {
			return rep, nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		latencies = append(latencies, float64(time.Since(start).Microseconds())/1000)
		var ids []string
		for _, r := range results {
			id := r.Path
			if _, ok := judged[id]; !ok {
				id = strings.TrimSuffix(r.Path, path.Ext(r.Path))
			}
			if r.Path == q.ID || id == q.ID || slices.Contains(ids, id) {
				continue
			}
			ids = append(ids, id)
			run = append(run, Ranked{QueryID: q.ID, Path: r.Path, Rank: len(ids), Score: r.Score})
			if len(ids) == k {
				break
			}
		}
		if answers(results) {
			rep.Answered++
		}
		if opt.Decided != nil {
			opt.Decided(decision(q, true, results, judged))
		}
		rep.NDCG10 += metric.NDCG(ids, judged, 10)
		rep.Recall5 += metric.Recall(ids, judged, 5)
		rep.Recall10 += metric.Recall(ids, judged, 10)
		rep.Recall100 += metric.Recall(ids, judged, 100)
		rep.MRR10 += mrr(ids, judged, 10)
		rep.Queries++
	}
	if rep.Queries == 0 {
		return rep, nil, errors.New("no query has relevance judgments: do the query ids of the two files match?")
	}
	n := float64(rep.Queries)
	rep.NDCG10 /= n
	rep.Recall5 /= n
	rep.Recall10 /= n
	rep.Recall100 /= n
	rep.MRR10 /= n
	rep.Answered /= n
	slices.Sort(latencies)
	rep.P50ms = percentile(latencies, 0.50)
	rep.P95ms = percentile(latencies, 0.95)
	return rep, run, nil
}

// answers reports whether the server would answer from these results: whether the top
// passage is relevant, as answer.Service decides.
func answers(results []retrieve.Result) bool {
	return len(results) > 0 && answer.Relevant(results[0], answer.DefaultMinCoverage, answer.DefaultMinMargin)
}

// Declined returns the share of queries, none of which the documents answer, for which the
// server would say so instead of answering.
func Declined(ctx context.Context, s *retrieve.Searcher, queries []Query, opt Options) (float64, error) {
	if len(queries) == 0 {
		return 0, errors.New("no unanswerable queries given")
	}
	declined := 0
	for _, q := range queries {
		text, err := searched(ctx, s, q.Text, opt)
		if err != nil {
			return 0, fmt.Errorf("query %s: %w", q.ID, err)
		}
		results, err := s.Search(ctx, retrieve.Query{Text: text, Limit: 5, NoSnippets: true, Source: opt.Source, Mode: opt.Mode, Groups: opt.Groups})
		if err != nil {
			return 0, fmt.Errorf("query %s: %w", q.ID, err)
		}
		if !answers(results) {
			declined++
		}
		if opt.Decided != nil {
			opt.Decided(decision(q, false, results, nil))
		}
	}
	return float64(declined) / float64(len(queries)), nil
}

func mrr(ids []string, judged map[string]int, k int) float64 {
	for i, id := range ids[:min(k, len(ids))] {
		if judged[id] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
