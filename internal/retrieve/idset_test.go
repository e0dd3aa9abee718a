package retrieve

import "testing"

// TestIDSet checks membership in both of idSet's forms: bits over a compact span, a map over
// ids far apart (whose bits would take 125 MB here).
func TestIDSet(t *testing.T) {
	for name, ids := range map[string][]int64{
		"compact":   {5, 6, 70, 130, 131},
		"far apart": {5, 1_000_000_005, 3},
		"a million": {5, 1_000_005, 3},
	} {
		s := newIDSet(ids)
		if (name == "far apart") != (s.m != nil) {
			t.Errorf("%s: %d words of bits, map %v", name, len(s.bits), s.m != nil)
		}
		in := map[int64]bool{}
		for _, id := range ids {
			in[id] = true
		}
		for _, id := range append([]int64{0, 4, 7, 64, 69, 71, 129, 132, 1_000_000_004, 1_000_000_006, 1_000_004, 1_000_006}, ids...) {
			if got := s.has(id); got != in[id] {
				t.Errorf("%s: has(%d) = %v, want %v", name, id, got, in[id])
			}
		}
	}
	if newIDSet(nil).has(0) {
		t.Error("the set of no ids holds 0")
	}
}
