// Package metric computes the ranking metrics of `indexer eval` over one ranked list of ids and
// its graded judgments. It depends on nothing of Docent's, so the fusion replay in
// internal/retrieve (which internal/evaluate imports) measures with the same code.
package metric

import (
	"math"
	"slices"
)

// NDCG is nDCG@k with exponential gains (2^grade − 1), as BEIR and trec_eval compute it.
func NDCG(ids []string, judged map[string]int, k int) float64 {
	var dcg float64
	for i, id := range ids[:min(k, len(ids))] {
		if g := judged[id]; g > 0 {
			dcg += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
		}
	}
	var gains []int
	for _, g := range judged {
		if g > 0 {
			gains = append(gains, g)
		}
	}
	slices.SortFunc(gains, func(a, b int) int { return b - a })
	var ideal float64
	for i, g := range gains[:min(k, len(gains))] {
		ideal += (math.Pow(2, float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// Recall is the share of the relevant (grade > 0) ids found in the first k.
func Recall(ids []string, judged map[string]int, k int) float64 {
	total, found := 0, 0
	for id, g := range judged {
		if g <= 0 {
			continue
		}
		total++
		if slices.Contains(ids[:min(k, len(ids))], id) {
			found++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(found) / float64(total)
}
