package retrieve

import (
	"cmp"
	"encoding/json"
	"os"
	"slices"
)

// candidate is a passage either branch proposed, with both branches' evidence.
type candidate struct {
	id, doc int64
	// bm25 is the lexical score; hasBM25 is false when the lexical branch did not propose it.
	bm25     float64
	hasBM25  bool
	sim      float64 // cosine similarity to the query (0 in lexical-only searches)
	coverage float64
	score    float64
}

// fuse scores the candidates and returns the page: at most perDoc passages of a document,
// at most limit in all, best first.
func fuse(cands []candidate, lw, vw float64, limit, perDoc int) []candidate {
	var maxBM25, maxSim float64
	for _, c := range cands {
		maxBM25 = max(maxBM25, c.bm25)
		maxSim = max(maxSim, c.sim)
	}
	for i := range cands {
		c := &cands[i]
		c.score = lw*c.bm25/max(maxBM25, 1e-9) + vw*max(c.sim, 0)/max(maxSim, 1e-9)
	}
	if f := os.Getenv("BRIDGING_DUMP"); f != "" {
		out, _ := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		type row struct {
			D       int64
			B, S, C float64
			H       bool
		}
		var rows []row
		for _, c := range cands {
			rows = append(rows, row{c.doc, c.bm25, c.sim, c.coverage, c.hasBM25})
		}
		b, _ := json.Marshal(map[string]any{"q": os.Getenv("BRIDGING_Q"), "c": rows})
		out.Write(append(b, '\n'))
		out.Close()
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id))
	})
	perDocument := map[int64]int{}
	page := cands[:0]
	for _, c := range cands {
		if len(page) == limit {
			break
		}
		if perDocument[c.doc] < perDoc {
			perDocument[c.doc]++
			page = append(page, c)
		}
	}
	return page
}
