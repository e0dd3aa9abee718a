package insights

import (
	"math"
	"slices"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/textseg"
)

// Similarity of two questions: a blend of their embeddings' cosine and the share of content
// words they have in common (Dice), calibrated on the handbook-everyday and handbook-paraphrase
// sets' questions (TestCalibrateThreshold; `go test -v -run TestCalibrateThreshold
// ./internal/insights/` prints the grid): two questions belong together when the same document
// answers them. The 89 judged questions of the two sets plus handbook-everyday's 12
// unanswerable ones (each a topic of its own), asked in their files' order, give B-cubed
// precision 0.90, recall 0.53, F1 0.66 at these defaults with docent-local-v3 (0.91, 0.52,
// 0.66 with docent-local-v2). The grid (blends 0 to 1 by 0.25, thresholds 0.30 to 0.80 by
// 0.05) is flat: its best F1 is 0.69 (v3: the cosine alone at 0.45) and 0.67 (v2: shared words
// alone at 0.35), while a half blend at 0.40 is within 0.03 of the best for both embedders,
// where each alone is not. Recall stays near 0.5 because one document answers several
// different questions (annual leave, sick leave and parental leave are all in holidays.md),
// which an admin wants as separate gaps anyway; lower thresholds buy little recall for lost
// precision (0.74 at 0.30).
const (
	// DefaultThreshold is the similarity at which a question joins a gap.
	DefaultThreshold = 0.4
	// vectorShare is the cosine's weight in the blend; the shared words' is the rest.
	vectorShare = 0.5
)

// question is one asked question as clustering sees it.
type question struct {
	vector []float32
	terms  []string // stemmed content words, sorted, each once
}

// terms are text's stemmed content words, sorted and each once: what "shared words" compares.
// A question of stop words or punctuation alone ("what is it?") has none: an empty list, never
// nil, which would be stored as NULL and fail its pass, and with it every later one.
func terms(text string) []string {
	out := []string{}
	for _, w := range textseg.Words(text) {
		if textseg.IsStopword(w) {
			continue
		}
		out = append(out, textseg.Stem(w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// similarity blends cosine, weighted share, and the Dice coefficient of the content words.
func similarity(a, b question, share float64) float64 {
	return share*embedder.Cosine(a.vector, b.vector) + (1-share)*dice(a.terms, b.terms)
}

// dice is 2|a∩b| / (|a|+|b|) of two sorted sets.
func dice(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	shared := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			shared++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}

// clusters holds the members of the gaps a new question may join. A new question joins the gap
// of its most similar member when the similarity reaches the threshold (single link, applied
// incrementally), else starts a gap of its own. Gaps are never merged or split afterwards,
// which is what keeps a gap's identity, status and owner stable as questions arrive.
type clusters struct {
	threshold float64
	share     float64 // the cosine's weight in similarity
	members   []question
	gap       []int64 // gap[i] is the gap of members[i]
}

// add places q and returns its gap: an existing one, or the one newGap makes.
func (c *clusters) add(q question, newGap func() (int64, error)) (int64, error) {
	best, bestSim := -1, math.Inf(-1)
	for i, m := range c.members {
		if s := similarity(q, m, c.share); s > bestSim {
			best, bestSim = i, s
		}
	}
	var id int64
	if best >= 0 && bestSim >= c.threshold {
		id = c.gap[best]
	} else {
		var err error
		if id, err = newGap(); err != nil {
			return 0, err
		}
	}
	c.members = append(c.members, q)
	c.gap = append(c.gap, id)
	return id, nil
}
