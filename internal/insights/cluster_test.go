package insights

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/evaluate"
	"github.com/docent-search/docent/internal/wordvec"
)

// labelled is a calibration question and the document that answers it ("" when none does).
type labelled struct {
	text, doc string
}

// calibrationSet is the handbook-everyday and handbook-paraphrase questions, each labelled with
// its most relevant document, plus handbook-everyday's unanswerable questions, each its own
// label: questions answered by the same document belong in one gap, the others apart.
func calibrationSet(t *testing.T) []labelled {
	t.Helper()
	var out []labelled
	for _, set := range []string{"handbook-everyday", "handbook-paraphrase"} {
		dir := "../../testdata/" + set + "/"
		qs, err := evaluate.ReadQueries(dir + "queries.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		qrels, err := evaluate.ReadQrels(dir + "qrels.tsv")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			best, grade := "", 0
			for doc, g := range qrels[q.ID] {
				if g > grade || g == grade && doc < best {
					best, grade = doc, g
				}
			}
			if best != "" {
				out = append(out, labelled{q.Text, best})
			}
		}
	}
	neg, err := evaluate.ReadQueries("../../testdata/handbook-everyday/unanswerable.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range neg {
		out = append(out, labelled{q.Text, "unanswerable:" + q.ID})
	}
	return out
}

// bcubed scores a clustering against the labels: per question, the share of its cluster with
// its label (precision) and the share of its label in its cluster (recall), averaged.
func bcubed(gap []int64, set []labelled) (p, r, f float64) {
	for i := range set {
		same, inGap, inLabel := 0, 0, 0
		for j := range set {
			g, l := gap[i] == gap[j], set[i].doc == set[j].doc
			if g {
				inGap++
			}
			if l {
				inLabel++
			}
			if g && l {
				same++
			}
		}
		p += float64(same) / float64(inGap)
		r += float64(same) / float64(inLabel)
	}
	p /= float64(len(set))
	r /= float64(len(set))
	return p, r, 2 * p * r / (p + r)
}

// cluster runs the incremental clustering over the questions in order.
func cluster(qs []question, threshold, share float64) []int64 {
	c := clusters{threshold: threshold, share: share}
	next := int64(0)
	var out []int64
	for _, q := range qs {
		id, _ := c.add(q, func() (int64, error) { next++; return next, nil })
		out = append(out, id)
	}
	return out
}

// TestCalibrateThreshold measures the clustering against the calibration set over a grid of
// blends and thresholds, logs the grid (go test -v -run TestCalibrateThreshold), and holds the
// defaults, for both built-in embedders, to within 0.03 of the grid's best F1 and to a
// precision of at least 0.85: a gap must rather be split than mix unrelated questions.
func TestCalibrateThreshold(t *testing.T) {
	t.Parallel()
	set := calibrationSet(t)
	if len(set) < 90 {
		t.Fatalf("calibration set of %d questions; the two sets hold more than 90", len(set))
	}
	for _, e := range []embedder.Embedder{v3(t), embedder.Local{}} {
		texts := make([]string, len(set))
		for i, q := range set {
			texts[i] = q.text
		}
		vecs, err := e.EmbedDocuments(context.Background(), texts)
		if err != nil {
			t.Fatal(err)
		}
		qs := make([]question, len(set))
		for i := range set {
			qs[i] = question{vector: vecs[i], terms: terms(set[i].text)}
		}
		var grid strings.Builder
		bestF, bestAt := 0.0, ""
		for _, share := range []float64{0, 0.25, 0.5, 0.75, 1} {
			fmt.Fprintf(&grid, "\nshare %.2f:", share)
			for th := 0.30; th < 0.801; th += 0.05 {
				p, r, f := bcubed(cluster(qs, th, share), set)
				fmt.Fprintf(&grid, " %.2f→P%.2f/R%.2f/F%.2f", th, p, r, f)
				if f > bestF {
					bestF, bestAt = f, fmt.Sprintf("share %.2f threshold %.2f", share, th)
				}
			}
		}
		p, r, f := bcubed(cluster(qs, DefaultThreshold, vectorShare), set)
		t.Logf("%s, %d questions: defaults P %.3f R %.3f F1 %.3f; best F1 %.3f at %s%s", e.Model(), len(set), p, r, f, bestF, bestAt, grid.String())
		if f < bestF-0.03 || p < 0.85 {
			t.Errorf("%s: the defaults give P %.3f F1 %.3f; the grid's best F1 is %.3f at %s", e.Model(), p, f, bestF, bestAt)
		}
	}
}

func v3(t *testing.T) embedder.Embedder {
	t.Helper()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
