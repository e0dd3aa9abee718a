package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/reindex"
	"github.com/docent-search/docent/internal/source"
)

// progress shows an indexing run: a live bar on a terminal, a line every few seconds otherwise.
type progress struct {
	out      io.Writer
	terminal bool
	last     time.Time
	shown    bool
}

func newProgress(out io.Writer) *progress {
	p := &progress{out: out}
	if f, ok := out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(s source.Progress) {
	every := 5 * time.Second
	if p.terminal {
		every = 100 * time.Millisecond
	}
	if time.Since(p.last) < every && s.Done < s.Total {
		return
	}
	p.last = time.Now()
	elapsed := time.Since(s.Started).Seconds()
	rate := float64(s.Done) / max(elapsed, 1e-3)
	eta := "estimating"
	if s.Done > 0 && elapsed >= reindex.ETAAfter.Seconds() {
		eta = (time.Duration(float64(s.Total-s.Done)/rate) * time.Second).Round(time.Second).String()
	}
	if p.terminal {
		const width = 24
		filled := width * s.Done / max(s.Total, 1)
		cur := printable(s.Current)
		if len(cur) > 40 {
			cut := len(cur) - 39
			for cut < len(cur) && !utf8.RuneStart(cur[cut]) {
				cut++
			}
			cur = "…" + cur[cut:]
		}
		fmt.Fprintf(p.out, "\r\033[K%s [%s%s] %d/%d %.0f files/s ETA %s %s", s.Source,
			strings.Repeat("█", filled), strings.Repeat("·", width-filled), s.Done, s.Total, rate, eta, cur)
		p.shown = true
		return
	}
	fmt.Fprintf(p.out, "%s: %d/%d files, %.0f files/s, ETA %s, at %s\n", s.Source, s.Done, s.Total, rate, eta, printable(s.Current))
}

// finish ends the live line so the summary starts on its own.
func (p *progress) finish() {
	if p.shown {
		fmt.Fprintln(p.out)
		p.shown = false
	}
	p.last = time.Time{}
}
