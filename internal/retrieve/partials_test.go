package retrieve

import (
	"math/rand/v2"
	"testing"
)

// TestPartials checks the table of partial scores against a map in each of its forms: ids
// arriving below and above the span the array covers (it grows both ways), ids too far apart
// for an array (a map from then on), pruning between batches, and a table reused from the
// pool by a search over other ids, which must find nothing of the last one's.
func TestPartials(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, draw := range map[string]func() int64{
		"compact":   func() int64 { return 5000 + r.Int64N(3000) },
		"far apart": func() int64 { return 5000 + r.Int64N(3000) + r.Int64N(2)*1_000_000_000 },
	} {
		for round := range 3 {
			tab := getPartials(1 << 16)
			want := map[int64]float64{}
			for batch := range 4 {
				for range 2000 {
					id := draw()
					s := tab.find(id)
					if _, ok := want[id]; ok != (s >= 0) {
						t.Fatalf("%s, round %d: find(%d) = %d, holding it %v", name, round, id, s, ok)
					}
					if s < 0 {
						s = tab.insert(id)
					}
					tab.ps[s].batchScore += 1
					want[id]++
				}
				tab.fold()
				if batch == 2 {
					tab.prune(0, 3.5) // scores are counts: 3.5 keeps those of 4 and more
					for id, n := range want {
						if n < 3.5 {
							delete(want, id)
						}
					}
				}
			}
			if len(tab.ps) != len(want) {
				t.Fatalf("%s, round %d: %d chunks, want %d", name, round, len(tab.ps), len(want))
			}
			for _, p := range tab.ps {
				if s := tab.find(p.id); s < 0 || tab.ps[s].id != p.id || p.score != want[p.id] {
					t.Fatalf("%s, round %d: chunk %d at slot %d scores %v, want %v", name, round, p.id, s, p.score, want[p.id])
				}
			}
			if name == "far apart" && tab.bySlot == nil {
				t.Errorf("%s: an array over %d ids, want a map", name, len(tab.slot))
			}
			putPartials(tab)
		}
	}
}
