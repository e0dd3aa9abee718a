package embedder

import (
	"context"
	"math"

	"github.com/docent-search/docent/internal/textseg"
)

// LocalModel names the built-in embedder's feature recipe. Change the version whenever the
// features, weights or dimension change: the index refuses a different name, so old and new
// vectors are never mixed.
const LocalModel = "docent-local-v2"

// LocalDimension is the size of the local embedder's vectors.
const LocalDimension = 1024

// Local is a model-free embedder: signed feature hashing of stemmed words, word pairs and
// character n-grams, with sublinear term weighting, L2-normalised. It needs no weights, runs
// offline in pure Go and is deterministic, so a fresh checkout works with no model server.
//
// Stemmed words make plurals and inflections meet; word pairs keep some phrase meaning;
// character n-grams of each word let typos and compounds still share most features.
type Local struct{}

// Model returns LocalModel.
func (Local) Model() string { return LocalModel }

// EmbedDocuments embeds each text.
func (l Local) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		out[i] = l.Vector(t)
	}
	return out, nil
}

// EmbedQuery embeds one query the same way as a document.
func (l Local) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return l.Vector(text), nil
}

// maxWordBytes bounds the part of a word that yields character n-grams.
const maxWordBytes = 64

// Feature weights, relative to a word's. Tuned so that a shared word dominates a shared
// n-gram, while a misspelt word still keeps most of its similarity.
const (
	pairWeight  = 0.5
	ngramWeight = 0.35
)

// Vector embeds text into a unit vector (the zero vector for text without words).
func (l Local) Vector(text string) []float32 {
	return l.WeightedQuery(text, nil)
}

// WeightedQuery embeds a query with each word's features scaled by weight(word), when weight
// is set: with inverse document frequencies from the index, rare words count for more than
// common ones, which a model-free embedder cannot learn on its own. Documents are embedded
// unweighted, so the vector space does not change.
func (l Local) WeightedQuery(text string, weight func(word string) float64) []float32 {
	return l.weightedWords(textseg.Words(text), weight)
}

// weightedWords is WeightedQuery of text already split into words (textseg.Words).
func (Local) weightedWords(words []string, weight func(word string) float64) []float32 {
	// Per feature: its (fractional) count, and the largest weight of a word that produced it.
	type feature struct{ count, weight float64 }
	counts := make(map[uint64]feature, len(words)*6)
	var order []uint64 // first-seen order: summing in map order would vary in the last bits
	add := func(h uint64, c, w float64) {
		f, seen := counts[h]
		if !seen {
			order = append(order, h)
		}
		f.count += c
		f.weight = max(f.weight, w)
		counts[h] = f
	}
	prev := ""
	for _, w := range words {
		if textseg.IsStopword(w) {
			prev = ""
			continue
		}
		s := textseg.Stem(w)
		wt := 1.0
		if weight != nil {
			wt = weight(w)
		}
		add(hash("w", s), 1, wt)
		if prev != "" {
			add(hash2("p", prev, s), pairWeight, wt)
		}
		prev = s
		// Character 4-grams of the word with boundary marks, weighted so a word's n-grams
		// add up to a fixed share whatever its length.
		if len(w) > maxWordBytes {
			w = w[:maxWordBytes] // a 10 MB "word" must not become 10 million n-grams
		}
		forNgrams("<"+w+">", 4, func(g string, n int) {
			add(hash("g", g), ngramWeight/float64(n), wt)
		})
	}
	v := make([]float64, LocalDimension)
	for _, h := range order {
		f := counts[h]
		weight := 1 + math.Log(f.count) // sublinear: the tenth repetition adds little
		if f.count < 1 {
			weight = f.count
		}
		weight *= f.weight
		idx := h % LocalDimension
		if h>>63 == 1 {
			weight = -weight
		}
		v[idx] += weight
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, LocalDimension)
	if norm == 0 {
		return out
	}
	inv := 1 / math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out
}

// forNgrams calls fn with each n-rune substring of s (s itself when shorter) and their count,
// slicing s rather than allocating.
func forNgrams(s string, n int, fn func(gram string, count int)) {
	var starts [64]int
	offs := starts[:0]
	for i := range s {
		offs = append(offs, i)
	}
	if len(offs) <= n {
		fn(s, 1)
		return
	}
	offs = append(offs, len(s))
	count := len(offs) - 1 - n + 1
	for i := 0; i < count; i++ {
		fn(s[offs[i]:offs[i+n]], count)
	}
}

// FNV-1a, 64-bit, with a namespace byte so words, pairs and n-grams never collide by design.
func hash(ns, s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(ns); i++ {
		h = (h ^ uint64(ns[i])) * 1099511628211
	}
	h = (h ^ 0xff) * 1099511628211
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return mix(h)
}

func hash2(ns, a, b string) uint64 { return hash(ns, a+"\x00"+b) }

// mix spreads FNV's weak low bits, which pick the dimension.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
