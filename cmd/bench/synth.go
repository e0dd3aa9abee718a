package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/docent-search/docent/internal/ingest"
)

// synth is a deterministic corpus of passages: words of a 20,000-word invented vocabulary drawn
// with Zipf frequencies, like natural text (a few words in nearly every passage, most words
// rare), so full-text queries have realistic selectivity.
type synth struct {
	vocab []string
}

const chunksPerDoc = 8

func newSynth() *synth {
	syll := strings.Fields("ka lo mi ne ru ta be so di fa gu he ji ko la mo nu pe ri se tu va we xi yo za bri cho dra ste")
	s := &synth{}
	for i := range 20000 {
		w := syll[i%len(syll)] + syll[(i/len(syll))%len(syll)] + syll[(i/len(syll)/len(syll))%len(syll)]
		s.vocab = append(s.vocab, w+"n") // a consonant ending keeps the English stemmer from merging words
	}
	return s
}

// words returns n words drawn with Zipf frequencies, from rank lo on.
func (s *synth) words(r *rand.Rand, n int, lo uint64) []string {
	z := rand.NewZipf(r, 1.07, 2, uint64(len(s.vocab))-1-lo)
	out := make([]string, n)
	for i := range out {
		out[i] = s.vocab[lo+z.Uint64()]
	}
	return out
}

// passage is chunk i's text, about 90 words in sentences.
func (s *synth) passage(i int) string {
	r := rand.New(rand.NewPCG(uint64(i), 99))
	var b strings.Builder
	for _, w := range s.words(r, 70+r.IntN(40), 0) {
		if b.Len() == 0 || r.IntN(12) == 0 {
			if b.Len() > 0 {
				b.WriteString(". ")
			}
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			continue
		}
		b.WriteString(" " + w)
	}
	b.WriteString(".")
	return b.String()
}

// queries returns n queries of two or three words of middling frequency, and n one-word
// queries for the commonest word, which occurs in nearly every passage.
func (s *synth) queries(n int) (typical, common []string) {
	r := rand.New(rand.NewPCG(7, 7))
	for range n {
		typical = append(typical, strings.Join(s.words(r, 2+r.IntN(2), 20), " "))
		common = append(common, s.vocab[0])
	}
	return typical, common
}

// docs yields the first n passages as documents of chunksPerDoc chunks, embedded by e.
func (s *synth) docs(n int, e vectorizer) iter.Seq[ingest.Prepared] {
	return func(yield func(ingest.Prepared) bool) {
		for first := 0; first < n; first += chunksPerDoc {
			d := ingest.Prepared{Path: fmt.Sprintf("d%03d/doc%07d.md", first/chunksPerDoc%1000, first/chunksPerDoc),
				Title: fmt.Sprintf("Document %d", first/chunksPerDoc), Type: "markdown"}
			var body strings.Builder
			for i := first; i < min(first+chunksPerDoc, n); i++ {
				text := s.passage(i)
				start := body.Len()
				body.WriteString(text + "\n\n")
				d.Chunks = append(d.Chunks, ingest.Chunk{Heading: fmt.Sprintf("Section %d", i-first+1),
					Text: text, Start: start, End: start + len(text)})
				d.Vectors = append(d.Vectors, e.Vector(text))
			}
			d.Body = body.String()
			if !yield(d) {
				return
			}
		}
	}
}

// vectorizer embeds one text synchronously.
type vectorizer interface{ Vector(text string) []float32 }

// fakeEmbedder stands in for an embedding model so the model does not dominate the figures.
// Its vectors are deterministic per text and realistic in shape: 1,000 topic clusters in a
// 24-dimensional latent space, projected into 384 dimensions with a little isotropic noise.
// Real embeddings have this low intrinsic dimension; uniform random vectors do not, and would
// make HNSW look worse than it is in practice.
type fakeEmbedder struct {
	centers [][]float32 // 1000 × latent
	proj    [][]float32 // fakeDim × latent
}

const (
	fakeDim    = 384
	fakeLatent = 24
	fakeModel  = "bench-fake-384"
)

func newFakeEmbedder() *fakeEmbedder {
	r := rand.New(rand.NewPCG(1, 2))
	gauss := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * scale)
		}
		return v
	}
	f := &fakeEmbedder{}
	for range 1000 {
		f.centers = append(f.centers, gauss(fakeLatent, 1))
	}
	for range fakeDim {
		f.proj = append(f.proj, gauss(fakeLatent, 1/math.Sqrt(fakeLatent)))
	}
	return f
}

func (f *fakeEmbedder) Model() string { return fakeModel }

func (f *fakeEmbedder) Vector(text string) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	r := rand.New(rand.NewPCG(h.Sum64(), 3))
	c := f.centers[r.IntN(len(f.centers))]
	latent := make([]float32, fakeLatent)
	for i := range latent {
		latent[i] = c[i] + float32(r.NormFloat64()*0.35)
	}
	v := make([]float32, fakeDim)
	var norm float64
	for i, row := range f.proj {
		var x float32
		for j, p := range row {
			x += p * latent[j]
		}
		x += float32(r.NormFloat64() * 0.05)
		v[i] = x
		norm += float64(x) * float64(x)
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(norm))
	}
	return v
}

func (f *fakeEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = f.Vector(t)
	}
	return out, nil
}

func (f *fakeEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return f.Vector(text), nil
}
