package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fit keeps the thresholds that balance both rates over the sets, and with a set left out
// it shows what that set alone pinned down.
func TestFitThresholds(t *testing.T) {
	t.Parallel()
	// Set a: answers above coverage 0.6 or margin 0.2; its unanswerable questions reach
	// margin 0.19. Set b: answers only by margin (0.15, 0.22), no unanswerable questions.
	sets := map[string][]gateDecision{
		"a": {
			{answerable: true, grade: 1, coverage: 0.7, margin: 0.05},
			{answerable: true, grade: 1, coverage: 0.1, margin: 0.25},
			{answerable: true, grade: 0, coverage: 0.9, margin: 0.9}, // a wrong top passage: not counted
			{coverage: 0.5, margin: 0.19},
			{coverage: 0.2, margin: 0.12},
		},
		"b": {
			{answerable: true, grade: 2, coverage: 0, margin: 0.15},
			{answerable: true, grade: 1, coverage: 0, margin: 0.22},
		},
	}
	r := rates(sets["a"], thresholds{0.55, 0.18})
	if r.judged != 2 || r.unanswerable != 2 || r.answered != 1 || r.declined != 0.5 {
		t.Errorf("rates of a at 0.55 / 0.18 = %+v; want both judged answered, one of two unanswerable declined", r)
	}
	if b := balance(sets, thresholds{0.55, 0.18}); b != (0.75+0.5)/2 {
		t.Errorf("balance = %v, want ((1 + 0.5) / 2 + 0.5) / 2", b)
	}
	// Declining a's margin-0.19 question costs b's 0.15 answer: margins 0.20-0.22 balance
	// ((1 + 0.5) / 2 + 1) / 2 = 0.875, margin 0.15 ((1 + 1) / 2 + 0.5) / 2 = 0.75. Of the
	// thresholds that tie, the highest (safest) are kept.
	fit, b := fitThresholds(sets)
	if fit.margin != 0.22 || fit.coverage != 0.70 || b != 0.875 {
		t.Errorf("fit = %+v, balance %v; want coverage 0.70 (the highest that answers 0.7), margin 0.22, balance 0.875", fit, b)
	}
	// Without a, nothing is unanswerable and the lowest margin answers all of b.
	if fit, _ := fitThresholds(map[string][]gateDecision{"b": sets["b"]}); fit.margin > 0.15 {
		t.Errorf("fit without a = %+v; want a margin of 0.15 or less", fit)
	}
	var out bytes.Buffer
	printCalibration(&out, sets)
	for _, want := range []string{"best pooled fit: coverage >= 0.70 or margin >= 0.22, balance 0.875", "0.80 / 0.15"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("calibration output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReadDecisionsRejectsOtherFiles(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "d.tsv")
	os.WriteFile(name, []byte("kind\tquery-id\tdocument\tgrade\tcoverage\tmargin\tsimilarity\tanswered\nanswerable\tq1\ta.md\t1\t0.5\tx\t0.3\tfalse\n"), 0o644)
	if _, err := readDecisions(name); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want one naming line 2", err)
	}
}

// A line of a kind other than the two `indexer eval --decisions` writes is refused, not counted
// as an unanswerable question (which would move the declined rate and so the fit).
func TestReadDecisionsRejectsUnknownKinds(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "d.tsv")
	os.WriteFile(name, []byte("kind\tquery-id\tdocument\tgrade\tcoverage\tmargin\tsimilarity\tanswered\n"+
		"unanswerable\tn1\ta.md\t0\t0.5\t0.1\t0.3\tfalse\nAnswerable\tq1\ta.md\t1\t0.5\t0.1\t0.3\tfalse\n"), 0o644)
	if ds, err := readDecisions(name); err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "Answerable") {
		t.Errorf("readDecisions = %+v, %v; want an error naming line 3 and its kind", ds, err)
	}
}
