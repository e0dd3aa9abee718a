package web

import (
	"testing"
	"time"
)

// TestAdmissionDefaults sizes admission control from the machine and the pool as the settings'
// help says: two slots per core, no more than the pool's connections, four queued per slot, a
// one-second wait, and Retry-After rounded up to whole seconds.
func TestAdmissionDefaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ procs, pool, want int }{{2, 20, 4}, {16, 20, 20}, {1, 0, 2}, {4, 1, 1}} {
		if got := defaultInFlight(c.procs, c.pool); got != c.want {
			t.Errorf("%d cores, pool %d: %d slots, want %d", c.procs, c.pool, got, c.want)
		}
	}
	a := newAdmission(3, 0, 0, 20, NewMetrics())
	if cap(a.slots) != 3 || cap(a.line) != 12 || a.wait != time.Second || a.retryAfter != "1" {
		t.Errorf("defaults: %d slots, line %d, wait %v, Retry-After %s", cap(a.slots), cap(a.line), a.wait, a.retryAfter)
	}
	if a := newAdmission(3, -1, 1500*time.Millisecond, 20, NewMetrics()); cap(a.line) != 0 || a.retryAfter != "2" {
		t.Errorf("no queue, 1.5 s wait: line %d, Retry-After %s", cap(a.line), a.retryAfter)
	}
}
