package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/docent-search/docent/internal/answer"
)

// With -calibrate, every set's answer decisions (`indexer eval --decisions`) are pooled to fit
// answer.Relevant's two thresholds: a question is answered when its top passage covers at least
// a share of its weight, or its similarity stands a margin above its nearest passages'. The fit
// maximises the balance of two rates, each averaged over the sets so that no set counts by its
// size: the share answered of the questions whose top passage is a judged answer, and the share
// declined of the questions nothing answers. Fitted again with each set left out, it shows how
// far the thresholds hang on one set.

// gateDecision is one question's line of `indexer eval --decisions`.
type gateDecision struct {
	answerable       bool
	grade            int
	coverage, margin float64
}

// readDecisions reads the TSV `indexer eval --decisions` writes.
func readDecisions(name string) ([]gateDecision, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []gateDecision
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		rec := strings.Split(sc.Text(), "\t")
		if line == 1 && rec[0] == "kind" {
			continue
		}
		if len(rec) < 8 {
			return nil, fmt.Errorf("%s line %d: want 8 fields", name, line)
		}
		if rec[0] != "answerable" && rec[0] != "unanswerable" {
			return nil, fmt.Errorf("%s line %d: kind %q, want answerable or unanswerable", name, line, rec[0])
		}
		d := gateDecision{answerable: rec[0] == "answerable"}
		var errs [3]error
		d.grade, errs[0] = strconv.Atoi(rec[3])
		d.coverage, errs[1] = strconv.ParseFloat(rec[4], 64)
		d.margin, errs[2] = strconv.ParseFloat(rec[5], 64)
		for _, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, line, err)
			}
		}
		out = append(out, d)
	}
	return out, sc.Err()
}

// thresholds are answer.Relevant's: coverage or margin.
type thresholds struct{ coverage, margin float64 }

func (t thresholds) answers(d gateDecision) bool {
	return d.coverage >= t.coverage || d.margin >= t.margin
}

// gateRates are one set's two rates at some thresholds; judged and unanswerable count the
// questions each is over (a rate over none is not counted).
type gateRates struct {
	answered, declined   float64
	judged, unanswerable int
}

func rates(ds []gateDecision, t thresholds) gateRates {
	var r gateRates
	for _, d := range ds {
		switch {
		case d.answerable && d.grade > 0:
			r.judged++
			if t.answers(d) {
				r.answered++
			}
		case !d.answerable:
			r.unanswerable++
			if !t.answers(d) {
				r.declined++
			}
		}
	}
	if r.judged > 0 {
		r.answered /= float64(r.judged)
	}
	if r.unanswerable > 0 {
		r.declined /= float64(r.unanswerable)
	}
	return r
}

// balance is the mean of the two rates, each averaged over the sets that have questions for it.
func balance(sets map[string][]gateDecision, t thresholds) float64 {
	var answered, declined float64
	var na, nd int
	for _, ds := range sets {
		r := rates(ds, t)
		if r.judged > 0 {
			answered += r.answered
			na++
		}
		if r.unanswerable > 0 {
			declined += r.declined
			nd++
		}
	}
	switch {
	case na == 0 && nd == 0:
		return 0
	case nd == 0:
		return answered / float64(na)
	case na == 0:
		return declined / float64(nd)
	}
	return (answered/float64(na) + declined/float64(nd)) / 2
}

// fitThresholds returns the thresholds of the grid with the best balance, the higher (safer)
// ones where several tie.
func fitThresholds(sets map[string][]gateDecision) (thresholds, float64) {
	best, bestBalance := thresholds{}, -1.0
	for c := 80; c >= 40; c -= 5 {
		for m := 30; m >= 10; m-- {
			t := thresholds{float64(c) / 100, float64(m) / 100}
			if b := balance(sets, t); b > bestBalance+1e-9 {
				best, bestBalance = t, b
			}
		}
	}
	return best, bestBalance
}

// printCalibration prints each set's rates at the current thresholds and at the pooled fit, and
// the fit with each set left out.
func printCalibration(out io.Writer, sets map[string][]gateDecision) {
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	slices.Sort(names)
	now := thresholds{answer.DefaultMinCoverage, answer.DefaultMinMargin}
	fit, fitBalance := fitThresholds(sets)
	fmt.Fprintf(out, "\nanswer decisions (hybrid): answered = share of the questions whose top passage is judged relevant that would be answered; declined = share of the unanswerable ones that would not\n")
	fmt.Fprintf(out, "now: coverage >= %.2f or margin >= %.2f, balance %.3f; best pooled fit: coverage >= %.2f or margin >= %.2f, balance %.3f\n\n",
		now.coverage, now.margin, balance(sets, now), fit.coverage, fit.margin, fitBalance)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "set\tjudged top\tanswered now\tfit\tunanswerable\tdeclined now\tfit\tfit without the set\tanswered\tdeclined\t")
	for _, n := range names {
		others := map[string][]gateDecision{}
		for m, ds := range sets {
			if m != n {
				others[m] = ds
			}
		}
		loo, _ := fitThresholds(others)
		a, b, l := rates(sets[n], now), rates(sets[n], fit), rates(sets[n], loo)
		rate := func(x float64, over int) string {
			if over == 0 {
				return "—"
			}
			return fmt.Sprintf("%.2f", x)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%s\t%.2f / %.2f\t%s\t%s\t\n", n, a.judged, rate(a.answered, a.judged), rate(b.answered, b.judged),
			a.unanswerable, rate(a.declined, a.unanswerable), rate(b.declined, b.unanswerable), loo.coverage, loo.margin,
			rate(l.answered, l.judged), rate(l.declined, l.unanswerable))
	}
	tw.Flush()
}
