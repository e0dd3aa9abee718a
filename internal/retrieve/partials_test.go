package retrieve

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// TestPartials checks the table of partial scores against a map in each of its forms: ids
// arriving below and above the span the array covers (it grows both ways), ids too far apart
// for an array (a map from then on), pruning between batches, and a table reused from the
// pool by a search over other ids, which must find nothing of the last one's. Rounds 1 and 2
// reserve room before each batch (partials.reserve), round 2 with a hint that misses some ids.
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
				ids := make([]int64, 2000)
				for i := range ids {
					ids[i] = draw()
				}
				switch round {
				case 1:
					tab.reserve(slices.Min(ids), slices.Max(ids), len(ids))
				case 2:
					tab.reserve(slices.Min(ids)+500, slices.Max(ids)-500, len(ids)/2)
				}
				for _, id := range ids {
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

// TestPartialsNearMaxInt64: a table whose first id is near MaxInt64 covers an id far below it
// (the span check once added the array's length to the first id, and overflowed).
func TestPartialsNearMaxInt64(t *testing.T) {
	tab := getPartials(1 << 16)
	defer putPartials(tab)
	tab.insert(math.MaxInt64 - 5)
	tab.insert(1)
	if tab.find(1) < 0 || tab.find(math.MaxInt64-5) < 0 {
		t.Error("lost an id")
	}
}

// TestPartialsReusedTableKeepsItsArray: a table whose array grew to its limit in one search
// and is reused by the next keeps an array for ids close together below its first one: the
// span is that of the ids held, not of the array a search before left (review of dense13).
func TestPartialsReusedTableKeepsItsArray(t *testing.T) {
	tab := getPartials(1 << 16)
	tab.insert(0)
	tab.insert(1<<16 - 1) // the array grows to the limit
	tab.empty()           // as putPartials leaves it for the next search (not put twice: a parallel test would take it)
	tab.insert(100000)
	tab.insert(99999)
	if tab.bySlot != nil {
		t.Errorf("ids 99999 and 100000 fell back to the map (array of %d slots, limit %d)", len(tab.slot), tab.limit)
	}
	if tab.find(99999) != 1 || tab.find(100000) != 0 {
		t.Errorf("find: %d %d", tab.find(99999), tab.find(100000))
	}
	putPartials(tab)
}

// TestPartialsPoolKeepsBoundedArrays: a table of a wide search goes back to the pool without
// arrays past keptSlots and keptPartials.
func TestPartialsPoolKeepsBoundedArrays(t *testing.T) {
	tab := getPartials(1 << 24)
	for id := int64(0); id < 1<<24; id += 4 {
		tab.insert(id)
	}
	if len(tab.slot) <= keptSlots || cap(tab.ps) <= keptPartials {
		t.Fatalf("the search was not wide enough to test: %d slots, %d partials", len(tab.slot), cap(tab.ps))
	}
	tab.empty() // what putPartials does before pooling it
	defer putPartials(tab)
	if len(tab.slot) > keptSlots || cap(tab.ps) > keptPartials {
		t.Errorf("kept %d slots and %d partials", len(tab.slot), cap(tab.ps))
	}
}

// TestPartialsReserveTakesTheBatch: after reserve, a batch of ids within the hint is inserted
// without growing either array, below and above the ids held, after a prune too; every id held
// is found at its slot and no other id is.
func TestPartialsReserveTakesTheBatch(t *testing.T) {
	tab := getPartials(1 << 20)
	defer putPartials(tab)
	held := map[int64]bool{}
	for i, b := range [][2]int64{{50_000, 60_000}, {10_000, 55_000}, {40_000, 200_000}, {5_000, 210_000}} {
		if i == 3 {
			tab.fold()
			tab.prune(0, 0.5) // drops the chunks of no score: those of odd ids
			for id := range held {
				if id%2 != 0 {
					delete(held, id)
				}
			}
		}
		tab.reserve(b[0], b[1], int(b[1]-b[0])/3+1)
		slots, parts, capacity := unsafe.SliceData(tab.slot), unsafe.SliceData(tab.ps), cap(tab.ps)
		for id := b[0]; id <= b[1]; id += 3 {
			s := tab.find(id)
			if s < 0 {
				s = tab.insert(id)
				held[id] = true
			}
			if id%2 == 0 {
				tab.ps[s].batchScore = 1
			}
		}
		if unsafe.SliceData(tab.slot) != slots || unsafe.SliceData(tab.ps) != parts || cap(tab.ps) != capacity {
			t.Errorf("batch %d…%d: an array grew after reserve", b[0], b[1])
		}
		for id := int64(0); id <= 220_000; id++ {
			if s := tab.find(id); held[id] != (s >= 0) || s >= 0 && tab.ps[s].id != id {
				t.Fatalf("after batch %d…%d: chunk %d at slot %d, held %v", b[0], b[1], id, s, held[id])
			}
		}
	}
}

// TestPartialsReserveRecentresInPlace: a table reused with an array longer than a search's
// span (200,000 ids or more) centres the ids in it, and moves them within it when the next batch falls outside,
// leaving no slot of an id it moved.
func TestPartialsReserveRecentresInPlace(t *testing.T) {
	tab := getPartials(1 << 20)
	for id := int64(0); id < 200_000; id += 3 {
		tab.insert(id)
	}
	tab.empty() // keeps its array, as putPartials does; used again below, as a search would
	defer putPartials(tab)
	n := len(tab.slot)
	held := map[int64]bool{}
	for _, b := range [][2]int64{{150_000, 150_010}, {190_000, 260_000}} {
		tab.reserve(b[0], b[1], int(b[1]-b[0]+1))
		if len(tab.slot) != n {
			t.Fatalf("batch %d…%d: an array of %d slots, want the %d the table had", b[0], b[1], len(tab.slot), n)
		}
		for id := b[0]; id <= b[1]; id += 7 {
			tab.insert(id)
			held[id] = true
		}
		for id := int64(100_000); id <= 300_000; id++ {
			if s := tab.find(id); held[id] != (s >= 0) || s >= 0 && tab.ps[s].id != id {
				t.Fatalf("after batch %d…%d: chunk %d at slot %d, held %v", b[0], b[1], id, s, held[id])
			}
		}
	}
}
