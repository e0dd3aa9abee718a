package main

import (
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/source"
)

// A run's first seconds give no estimate of its end (the first file came at 0 files/s, and the
// line said "ETA 60h56m10s"); later lines estimate it from the pace so far.
func TestProgressEstimatesOnlyOnceThePaceIsKnown(t *testing.T) {
	var out strings.Builder
	p := newProgress(&out)
	p.update(source.Progress{Source: "docs", Done: 1, Total: 7561, Started: time.Now(), Current: "a.md"})
	if got := out.String(); !strings.Contains(got, "ETA estimating") {
		t.Errorf("first line %q: want no estimate yet", got)
	}
	out.Reset()
	p.last = time.Time{}
	p.update(source.Progress{Source: "docs", Done: 500, Total: 1000, Started: time.Now().Add(-10 * time.Second), Current: "b.md"})
	if got := out.String(); !strings.Contains(got, "50 files/s, ETA 10s") {
		t.Errorf("later line %q: want 50 files/s, ETA 10s", got)
	}
}
