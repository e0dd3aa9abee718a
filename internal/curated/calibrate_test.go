package curated

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/wordvec"
)

// question is an evaluation question with the page that answers it and the facts an answer
// must carry.
type question struct {
	text, doc string
	facts     map[string]bool
}

// readSet reads a handbook evaluation set from testdata: queries, the answering page (grade 2,
// else the only grade 1) and facts (alternatives split, lower case).
func readSet(t *testing.T, name string) []question {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", name)
	f, err := os.Open(filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []question
	ids := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct {
			ID   string `json:"_id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		ids[q.ID] = len(qs)
		qs = append(qs, question{text: q.Text, facts: map[string]bool{}})
	}
	lines := func(file string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var out [][]string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			out = append(out, strings.Split(l, "\t"))
		}
		return out
	}
	for _, p := range lines("qrels.tsv")[1:] {
		if i, ok := ids[p[0]]; ok && (p[2] == "2" || qs[i].doc == "") {
			qs[i].doc = p[1]
		}
	}
	for _, p := range lines("facts.tsv") {
		for _, alt := range strings.Split(p[1], "|") {
			if alt = strings.ToLower(strings.TrimSpace(alt)); len(alt) > 1 {
				qs[ids[p[0]]].facts[alt] = true
			}
		}
	}
	return qs
}

// TestMatchCalibration measures DefaultMinSimilarity on pairs of handbook questions: a
// handbook-eval question (worded as the documents are) against each handbook-everyday one
// (deliberately in other words). Positives ask for the same fact of the same page, negatives
// are about different pages; pairs about the same page but no shared fact are left out, as
// neither. A curated answer shown for the wrong question misleads, so precision must be
// perfect; the figures are in README ("Curated answers").
func TestMatchCalibration(t *testing.T) {
	t.Parallel()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	embed := func(s string) []float32 {
		v, err := e.EmbedQuery(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var tp, fp, positives, negatives int
	for _, a := range readSet(t, "handbook-eval") {
		va := embed(a.text)
		for _, b := range readSet(t, "handbook-everyday") {
			shared := false
			for f := range a.facts {
				shared = shared || b.facts[f]
			}
			positive := a.doc == b.doc && shared
			if a.doc == b.doc && !positive {
				continue
			}
			match := embedder.Cosine(va, embed(b.text)) >= DefaultMinSimilarity
			switch {
			case positive:
				positives++
				if match {
					tp++
				}
			default:
				negatives++
				if match {
					fp++
					t.Errorf("%q matches %q, about another page", a.text, b.text)
				}
			}
		}
	}
	t.Logf("at %.2f: %d of %d rewordings match (recall %.2f), %d of %d pairs about other pages (precision %.2f)",
		DefaultMinSimilarity, tp, positives, float64(tp)/float64(positives), fp, negatives, float64(tp)/float64(max(tp+fp, 1)))
	if positives < 40 || negatives < 2000 {
		t.Errorf("%d positive and %d negative pairs: the sets changed, recalibrate", positives, negatives)
	}
	if tp == 0 {
		t.Error("no rewording matches at all: the threshold is too high to be of use")
	}
}

func TestNormalise(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"How do I book travel?":     "how do i book travel",
		"  how do I  book\ttravel ": "how do i book travel",
		"Wi-Fi password!!":          "wi fi password",
		"¿Dónde está la oficina?":   "dónde está la oficina",
		"?!":                        "",
	} {
		if got := Normalise(in); got != want {
			t.Errorf("Normalise(%q) = %q, want %q", in, got, want)
		}
	}
}
