package evaluate

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/docent-search/docent/internal/retrieve"
	"github.com/kljensen/snowball/english"
)

// Doc is one document of a reference index: its path (the id evaluation matches against qrels)
// and its whole text.
type Doc struct {
	Path, Text string
}

// BM25 is textbook Okapi BM25 over whole documents with a standard English analyser, the
// baseline that published figures use (Anserini's "flat" BEIR indexes: k1 0.9, b 0.4, Lucene's
// English stop words, Porter stemming). It is the reference column of `make eval`: Docent's own
// ranking should never fall below it on any collection (issue 13). It keeps everything in
// memory, which is fine for dev sets of a few thousand documents and nothing more.
type BM25 struct {
	k1, b    float64
	paths    []string
	lengths  []float64
	avgLen   float64
	postings map[string][]posting
}

type posting struct {
	doc int32
	tf  float64
}

// Anserini's BEIR defaults.
const (
	DefaultK1 = 0.9
	DefaultB  = 0.4
)

// NewBM25 indexes docs.
func NewBM25(docs []Doc, k1, b float64) *BM25 {
	x := &BM25{k1: k1, b: b, postings: map[string][]posting{}}
	var total float64
	for i, d := range docs {
		tf := map[string]float64{}
		terms := Analyze(d.Text)
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			x.postings[t] = append(x.postings[t], posting{doc: int32(i), tf: n})
		}
		x.paths = append(x.paths, d.Path)
		x.lengths = append(x.lengths, float64(len(terms)))
		total += float64(len(terms))
	}
	x.avgLen = total / float64(max(len(docs), 1))
	return x
}

// Search ranks every document that shares a term with q.Text by BM25 and returns the best
// q.Limit, best first (ties by path, so runs repeat exactly). It has the signature of
// retrieve.Searcher's, so Run measures it exactly like Docent's own ranking.
func (x *BM25) Search(_ context.Context, q retrieve.Query) ([]retrieve.Result, error) {
	n := float64(len(x.paths))
	scores := map[int32]float64{}
	// A repeated query word counts once per occurrence, as in Lucene's boolean query.
	for _, t := range Analyze(q.Text) {
		ps := x.postings[t]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, p := range ps {
			norm := x.k1 * (1 - x.b + x.b*x.lengths[p.doc]/x.avgLen)
			scores[p.doc] += idf * p.tf * (x.k1 + 1) / (p.tf + norm)
		}
	}
	out := make([]retrieve.Result, 0, len(scores))
	for d, s := range scores {
		out = append(out, retrieve.Result{Path: x.paths[d], Score: s})
	}
	slices.SortFunc(out, func(a, b retrieve.Result) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(a.Path, b.Path))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// stopWords is Lucene's English stop word set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), the one
// the published BM25 baselines use.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with") {
		stopWords[w] = true
	}
}

// Analyze is the reference analyser: lower-cased runs of letters and digits, English
// possessives dropped, stop words removed, the rest stemmed (Snowball English, Porter's
// successor).
func Analyze(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	}) {
		w = strings.TrimSuffix(strings.Trim(w, "'"), "'s")
		w = strings.ReplaceAll(w, "'", "")
		if w == "" || stopWords[w] {
			continue
		}
		out = append(out, english.Stem(w, true))
	}
	return out
}
