package answer

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/docent-search/docent/internal/embed"
	"github.com/docent-search/docent/internal/retrieve"
)

// Extractive answers without an LLM: it picks the sentences of the sources that best match the
// question and quotes them, each followed by its source's [n]. It cannot say anything the
// documents do not say.
type Extractive struct {
	// MaxSentences bounds the answer's length (default 3).
	MaxSentences int
}

// Name implements Answerer.
func (Extractive) Name() string { return "extractive" }

type scored struct {
	text   string
	source int // 1-based citation number
	pos    int // order within the source, for a readable order
	score  float64
}

// Answer implements Answerer.
func (e Extractive) Answer(ctx context.Context, question string, sources []retrieve.Result, emit func(string)) (string, error) {
	qTerms := termSet(question)
	if len(qTerms) == 0 || len(sources) == 0 {
		return "", nil
	}
	var cands []scored
	for i, src := range sources {
		for j, s := range splitSentences(src.Text) {
			terms := termSet(s)
			overlap := 0.0
			for t := range terms {
				if qTerms[t] {
					overlap++
				}
			}
			if overlap == 0 || len(terms) < 3 {
				continue
			}
			// Coverage of the question, discounted for long sentences, and for lower-ranked
			// sources so that ties go to the best passage.
			score := overlap/float64(len(qTerms)) + 0.5*overlap/math.Sqrt(float64(len(terms)))
			score *= 1 / (1 + 0.15*float64(i))
			cands = append(cands, scored{text: s, source: i + 1, pos: j, score: score})
		}
	}
	slices.SortStableFunc(cands, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	limit := cmp.Or(e.MaxSentences, 3)
	var picked []scored
	for _, c := range cands {
		if len(picked) == limit {
			break
		}
		if !nearDuplicate(c.text, picked) {
			picked = append(picked, c)
		}
	}
	// Readable order: by source, then as written.
	slices.SortFunc(picked, func(a, b scored) int {
		if a.source != b.source {
			return a.source - b.source
		}
		return a.pos - b.pos
	})
	var b strings.Builder
	for i, p := range picked {
		if err := ctx.Err(); err != nil {
			return b.String(), err
		}
		piece := fmt.Sprintf("%s [%d]", strings.TrimSpace(p.text), p.source)
		if i > 0 {
			piece = " " + piece
		}
		b.WriteString(piece)
		if emit != nil {
			emit(piece)
		}
	}
	return b.String(), nil
}

// Standalone implements Answerer without a model: the previous question's content words that
// the follow-up lacks are appended, so "and for contractors?" after "how many holidays do I
// get?" searches for holidays for contractors.
func (Extractive) Standalone(_ context.Context, history []string, question string) (string, error) {
	return carryOver(history, question), nil
}

func carryOver(history []string, question string) string {
	if len(history) == 0 {
		return question
	}
	have := termSet(question)
	var extra []string
	for _, w := range embed.Words(history[len(history)-1]) {
		if stem := embed.Stem(w); !embed.IsStopword(w) && !have[stem] {
			have[stem] = true
			extra = append(extra, w)
		}
	}
	if len(extra) == 0 {
		return question
	}
	return question + " (" + strings.Join(extra, " ") + ")"
}

// termSet returns the stemmed content words of s.
func termSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range embed.Words(s) {
		if !embed.IsStopword(w) {
			out[embed.Stem(w)] = true
		}
	}
	return out
}

func nearDuplicate(s string, picked []scored) bool {
	a := termSet(s)
	for _, p := range picked {
		b := termSet(p.text)
		shared := 0
		for t := range a {
			if b[t] {
				shared++
			}
		}
		if float64(shared) >= 0.8*float64(min(len(a), len(b))) {
			return true
		}
	}
	return false
}

// splitSentences cuts passage text into sentences at sentence punctuation and line breaks.
func splitSentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		start := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			if (c == '.' || c == '!' || c == '?') && (i+1 == len(line) || line[i+1] == ' ') {
				if s := strings.TrimSpace(line[start : i+1]); s != "" {
					out = append(out, s)
				}
				start = i + 1
			}
		}
		if s := strings.TrimSpace(line[start:]); s != "" {
			out = append(out, strings.TrimLeft(s, "-*• "))
		}
	}
	return out
}
