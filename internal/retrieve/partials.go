package retrieve

import (
	"math"
	"slices"
	"sync"
)

// partial is a chunk's score from the terms read so far: its BM25 score and the IDF mass of
// the terms it holds (Coverage's numerator).
type partial struct {
	id             int64
	score, matched float64
	// batchScore and batchMatched sum, in term order, what the batch of terms being read adds;
	// fold adds them to score and matched once the batch is read, so a chunk's score is summed
	// batch by batch in the same order, to the last bit, whatever holds the sums.
	batchScore, batchMatched float64
}

// partials is a search's table of partial scores: a slot per chunk in ps, in the order first
// inserted, found by its id through slot, an array over the span of the ids, or through
// bySlot, a map, where the ids are too far apart for that (limit). Tables are reused from one
// search to the next (getPartials, putPartials), and sized for each batch of postings before it
// is read (reserve), so their arrays are allocated about once a search at most.
//
// It replaced a map of pointers (map[int64]*partial), whose operations and the garbage of one
// allocation per chunk were about 30 % of the server's CPU at 262,000 passages, and the
// arrays allocated for each batch's sums (up to 272 MB a search on big corpora). At 10,000
// passages, 300-word queries (30, two rounds each, interleaved, load 15–18), Go's CPU a
// search: lexical 26–30 → 21–22 ms, hybrid 39–40 → 30–31 ms; results identical to the bit.
type partials struct {
	ps     []partial
	lo     int64
	slot   []int32 // slot[id-lo]: the chunk's index in ps plus one; 0 when it has none
	bySlot map[int64]int32
	// first and last are the least and greatest ids in ps: the span slot must cover.
	first, last int64
	// limit is the longest span slot may cover (denseLimit).
	limit int64
}

// denseLimit is the longest span of chunk ids a table covers with an array for a corpus of
// chunks passages: four ids a chunk (chunks re-indexed three times over leave gaps that
// large), 4 bytes each, and at most 16 M ids (64 MB).
func denseLimit(chunks int64) int64 {
	return min(max(4*chunks, 1<<16), 1<<24)
}

var partialsPool = sync.Pool{New: func() any { return &partials{} }}

// getPartials returns an empty table from the pool, arrays covering at most limit ids.
func getPartials(limit int64) *partials {
	t := partialsPool.Get().(*partials)
	t.limit = limit
	return t
}

// keptSlots and keptPartials bound the arrays a table keeps in the pool (16 MB of slots,
// 48 MB of partial scores): one search of a wide query over a big corpus must not leave its
// arrays held for every concurrent search after it.
const (
	keptSlots    = 1 << 22
	keptPartials = 1 << 20
)

// putPartials empties t and returns it to the pool; t is not to be used after.
func putPartials(t *partials) {
	t.empty()
	partialsPool.Put(t)
}

// empty clears t for another search, with its arrays but those past keptSlots and keptPartials.
func (t *partials) empty() {
	if t.bySlot != nil {
		t.bySlot = nil
	} else {
		for _, p := range t.ps {
			t.slot[p.id-t.lo] = 0
		}
	}
	t.ps = t.ps[:0]
	if len(t.slot) > keptSlots {
		t.slot = nil
	}
	if cap(t.ps) > keptPartials {
		t.ps = nil
	}
}

// find returns the slot of chunk id, -1 when it has none.
func (t *partials) find(id int64) int {
	if t.bySlot != nil {
		if s, ok := t.bySlot[id]; ok {
			return int(s)
		}
		return -1
	}
	if k := uint64(id - t.lo); k < uint64(len(t.slot)) {
		return int(t.slot[k]) - 1
	}
	return -1
}

// insert gives chunk id, which has none, a slot with nothing summed, and returns it.
func (t *partials) insert(id int64) int {
	if t.bySlot == nil && uint64(id-t.lo) >= uint64(len(t.slot)) {
		t.cover(id)
	}
	if len(t.ps) == 0 {
		t.first, t.last = id, id
	}
	t.first, t.last = min(t.first, id), max(t.last, id)
	s := len(t.ps)
	t.ps = append(t.ps, partial{id: id})
	t.setSlot(id, s)
	return s
}

func (t *partials) setSlot(id int64, s int) {
	if t.bySlot != nil {
		t.bySlot[id] = int32(s)
	} else {
		t.slot[id-t.lo] = int32(s + 1)
	}
}

// cover extends slot to id, twice as long at least, so that the ids of a search, read a term
// at a time in id order, take a few copies; or moves the slots into bySlot when the span of
// the ids held would pass limit. An empty table covers id afresh, with the array a search
// before it left (of at most limit ids).
func (t *partials) cover(id int64) {
	if len(t.ps) == 0 {
		t.lo = id
		if len(t.slot) == 0 {
			t.slot = make([]int32, min(1024, t.limit))
		}
		t.slot = t.slot[:min(int64(len(t.slot)), t.limit)]
		return
	}
	first, last := min(t.first, id), max(t.last, id)
	if last-first+1 > t.limit {
		t.bySlot = make(map[int64]int32, 2*len(t.ps))
		for s, p := range t.ps {
			t.slot[p.id-t.lo] = 0
			t.bySlot[p.id] = int32(s)
		}
		return
	}
	// Room to grow on the side the ids come from: below when id is below them all.
	n := min(max(last-first+1, 2*int64(len(t.slot))), t.limit)
	lo := first
	if id < t.first {
		lo = last - n + 1
	}
	slot := make([]int32, n)
	for s, p := range t.ps {
		slot[p.id-lo] = int32(s + 1)
	}
	t.lo, t.slot = lo, slot
}

// reserve makes room, before a batch of n postings with ids from lo to hi is read, for every
// chunk they may add: ps gets capacity for n more chunks (no more than the span holds) and the
// slot array covers lo…hi with the ids held, unless that span passes limit. It is a hint:
// insert still covers any id. Grown an insert at a time, a search's arrays were allocated over
// and over (append grows a large slice by a quarter, cover doubles; sync.Pool hands tables back
// empty after a GC): 104 MB a search for three terms of 5,000 to 200,000 postings at 1,000,000
// passages (BenchmarkPartialsSearch).
func (t *partials) reserve(lo, hi int64, n int) {
	if n <= 0 || hi < lo {
		return
	}
	held := 0 // the chunks held within lo…hi
	if t.bySlot == nil && len(t.ps) > 0 {
		lo, hi, held = min(lo, t.first), max(hi, t.last), len(t.ps)
	}
	// The chunks held and added are at most the span's ids: terms of one batch share chunks,
	// and a long query's batch holds millions of postings over a million ids.
	if span := uint64(hi - lo); span < uint64(held+n) {
		n = max(int(span)+1-held, 0)
	}
	t.ps = slices.Grow(t.ps, n)
	if t.bySlot != nil || uint64(hi-lo) >= uint64(t.limit) ||
		len(t.ps) > 0 && lo >= t.lo && hi-t.lo < int64(len(t.slot)) {
		return
	}
	for _, p := range t.ps {
		t.slot[p.id-t.lo] = 0
	}
	t.slot = t.slot[:min(int64(len(t.slot)), t.limit)]
	if int64(len(t.slot)) <= hi-lo {
		t.slot = make([]int32, hi-lo+1)
	}
	// The ids centred in the array: a search's next batches spread to both sides, and the
	// next search reuses the array.
	t.lo = lo
	if room := (int64(len(t.slot)) - (hi - lo + 1)) / 2; lo > math.MinInt64+room {
		t.lo = lo - room
	}
	for s, p := range t.ps {
		t.slot[p.id-t.lo] = int32(s + 1)
	}
}

// fold adds each chunk's batch sums to its score and matched mass, and clears them.
func (t *partials) fold() {
	for i := range t.ps {
		p := &t.ps[i]
		p.score += p.batchScore
		p.matched += p.batchMatched
		p.batchScore, p.batchMatched = 0, 0
	}
}

// prune drops the chunks whose score plus rest falls below theta (by more than slack), and
// keeps the others in their order.
func (t *partials) prune(rest, theta float64) {
	n := 0
	for i := range t.ps {
		p := &t.ps[i]
		if p.score+rest+slack < theta {
			if t.bySlot != nil {
				delete(t.bySlot, p.id)
			} else {
				t.slot[p.id-t.lo] = 0
			}
			continue
		}
		if n != i {
			t.ps[n] = *p
			t.setSlot(p.id, n)
		}
		n++
	}
	t.ps = t.ps[:n]
}

// ids returns the chunks' ids.
func (t *partials) ids() []int64 {
	out := make([]int64, len(t.ps))
	for i, p := range t.ps {
		out[i] = p.id
	}
	return out
}
