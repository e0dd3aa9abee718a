package retrieve

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// randomPartials returns n chunks with scores drawn from few values, so that ties (broken by id)
// are common, as they are among chunks that hold one term once.
func randomPartials(n int) []partial {
	r := rand.New(rand.NewPCG(1, 2))
	ps := make([]partial, n)
	for i := range ps {
		ps[i] = partial{id: int64(r.IntN(10 * n)), score: float64(r.IntN(50)) / 7}
	}
	return ps
}

// TestHeadIsTheRankingsHead: the bounded heap returns exactly the first n of the full sort.
func TestHeadIsTheRankingsHead(t *testing.T) {
	for _, n := range []int{0, 1, 7, 500, 999, 1000, 5000} {
		ps := randomPartials(1000)
		want := slices.Clone(ranked(slices.Clone(ps)))[:min(n, len(ps))]
		if got := head(ps, n); len(got) != len(want) || !slices.Equal(got, want) {
			t.Errorf("head(%d) differs from the first %d of the ranking", n, n)
		}
	}
}

// BenchmarkHead compares the bounded heap with the full sort it replaced, for the head of
// 100,000 partial scores (a common word's postings at 200,000 passages) that θ needs.
func BenchmarkHead(b *testing.B) {
	ps := randomPartials(100000)
	work := make([]partial, len(ps))
	b.Run("heap", func(b *testing.B) {
		for b.Loop() {
			copy(work, ps)
			head(work, accessBatch)
		}
	})
	b.Run("sort all", func(b *testing.B) {
		for b.Loop() {
			copy(work, ps)
			ranked(work)
		}
	})
}
