package embedder

import (
	"context"
	"math"

	"github.com/docent-search/docent/internal/textseg"
	"github.com/docent-search/docent/internal/wordvec"
)

// LocalV3Model names the built-in embedder that adds general word vectors to LocalModel's
// hashed features. Change the version whenever the recipe, the weights or the word-vector file
// change.
const LocalV3Model = "docent-local-v3"

// Shares of the two parts in a LocalV3 vector (squared weights sum to 1, so the cosine of two
// vectors is hashSharẹ·cos(hashed) + wordShare·cos(word vectors)).
const (
	v3WordShare = 0.5
	v3HashShare = 1 - v3WordShare
)

// sifA is SIF's smoothing constant (Arora et al. 2017): a word of frequency p weighs
// sifA/(sifA+p), so "the" counts about 1/100 of a rare word and mid-frequency words fully.
const sifA = 1e-3

// LocalV3 is LocalModel's hashed features (exact words, word pairs, character n-grams: names,
// codes, typos and words in any language) concatenated with the SIF-weighted average of general
// English word vectors, which puts "vacation days" near "paid holiday" where no word is shared.
type LocalV3 struct {
	vecs *wordvec.Vectors
	// common is the direction every average of English word vectors leans towards (the
	// frequency-weighted mean of the vocabulary); it is removed from each text's average so
	// that similarity reflects topic rather than "this is English" (SIF's common component).
	common []float64
}

// NewLocalV3 loads the word-vector file at path (see wordvec.Resolve); the error for a missing
// file names the command that makes it.
func NewLocalV3(path string) (*LocalV3, error) {
	v, err := wordvec.Load(path)
	if err != nil {
		return nil, err
	}
	common := make([]float64, v.Dim())
	for r := 0; r < min(v.Len(), 50000); r++ {
		p := wordvec.Frequency(r)
		v.AddTo(common, r, p*sifA/(sifA+p))
	}
	normalise(common)
	return &LocalV3{vecs: v, common: common}, nil
}

// Model returns LocalV3Model.
func (*LocalV3) Model() string { return LocalV3Model }

// Dimension is the vectors' length: the hashed features, then the word vectors.
func (e *LocalV3) Dimension() int { return LocalDimension + e.vecs.Dim() }

// EmbedDocuments embeds each text.
func (e *LocalV3) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = e.WeightedQuery(t, nil)
	}
	return out, nil
}

// EmbedQuery embeds one query the same way as a document.
func (e *LocalV3) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return e.WeightedQuery(text, nil), nil
}

// WeightedQuery embeds text with each word's part scaled by weight(word) when weight is set
// (the index's inverse document frequencies for a query, as Local does).
func (e *LocalV3) WeightedQuery(text string, weight func(word string) float64) []float32 {
	words := textseg.Words(text) // once for both parts: splitting was a quarter of the time
	hashed := Local{}.weightedWords(words, weight)
	avg := make([]float64, e.vecs.Dim())
	for _, w := range words {
		if textseg.IsStopword(w) {
			continue
		}
		r, ok := e.vecs.Rank(w)
		if !ok {
			continue // the hashed part carries it
		}
		p := wordvec.Frequency(r)
		wt := sifA / (sifA + p)
		if weight != nil {
			wt *= weight(w)
		}
		e.vecs.AddTo(avg, r, wt)
	}
	var dot float64
	for i, x := range avg {
		dot += x * e.common[i]
	}
	for i := range avg {
		avg[i] -= dot * e.common[i]
	}
	normalise(avg)
	out := make([]float32, 0, e.Dimension())
	hs, ws := math.Sqrt(v3HashShare), math.Sqrt(v3WordShare)
	var hnorm float64
	for _, x := range hashed {
		hnorm += float64(x) * float64(x)
	}
	var wnorm float64
	for _, x := range avg {
		wnorm += x * x
	}
	// A text with only unknown words (or none at all) is all hashed part, and vice versa:
	// the parts present share the unit length.
	switch {
	case hnorm == 0:
		hs, ws = 0, 1
	case wnorm == 0:
		hs, ws = 1, 0
	}
	for _, x := range hashed {
		out = append(out, float32(float64(x)*hs))
	}
	for _, x := range avg {
		out = append(out, float32(x*ws))
	}
	return out
}

// Known returns the share of text's words (stop words aside) that have a word vector: the
// part of the question this embedder can match by meaning, beyond its hashed features, which
// match only the words themselves. A question in another language than English, or made of
// names and codes, is known little or not at all (0 for text without words).
func (e *LocalV3) Known(text string) float64 {
	var words, known int
	for _, w := range textseg.Words(text) {
		if textseg.IsStopword(w) {
			continue
		}
		words++
		if _, ok := e.vecs.Rank(w); ok {
			known++
		}
	}
	if words == 0 {
		return 0
	}
	return float64(known) / float64(words)
}

// WordRank returns the frequency rank of word (lower-case) among the words this embedder has
// a vector for, the most frequent words of English (0 the commonest), and whether it is one:
// the search tells a misspelling from a word by it.
func (e *LocalV3) WordRank(word string) (int, bool) { return e.vecs.Rank(word) }

// normalise scales v to unit length (a zero vector stays zero).
func normalise(v []float64) {
	var n float64
	for _, x := range v {
		n += x * x
	}
	if n == 0 {
		return
	}
	inv := 1 / math.Sqrt(n)
	for i := range v {
		v[i] *= inv
	}
}
