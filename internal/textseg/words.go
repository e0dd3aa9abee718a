package textseg

import (
	"strings"
	"unicode"
)

// Words splits text into lower-case words of letters and digits. Apostrophes inside words are
// dropped ("don't" → "dont") so that the same word is one token everywhere.
func Words(text string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if isHan(r) { // CJK has no spaces: each character is a word.
				flush()
				b.WriteRune(r)
				flush()
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// skip, joining the parts
		default:
			flush()
		}
	}
	flush()
	return words
}

// isHan reports a Han, Hiragana or Katakana character. The three tables start at U+2E80: the
// comparison spares Latin text three table searches a letter (they took 1 of the indexer's
// 33 CPU seconds on 10,000 Markdown files).
func isHan(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// Stem reduces an English word to a crude stem so that inflections meet: "policies", "policy"
// → "polic"; "booking", "booked", "books" → "book". It is deliberately light (no dictionary):
// over-stemming hurts precision more than missing a rare inflection hurts recall.
func Stem(w string) string {
	if len(w) < 3 || !isASCII(w) {
		return w
	}
	cut := func(suffix, repl string) bool {
		if strings.HasSuffix(w, suffix) && len(w)-len(suffix)+len(repl) >= 3 {
			w = w[:len(w)-len(suffix)] + repl
			return true
		}
		return false
	}
	// Plurals and third person.
	switch {
	case cut("sses", "ss"), cut("ies", "i"):
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"):
	default:
		cut("s", "")
	}
	// Past tense, progressive and adverbs.
	_ = cut("ied", "i") || cut("ing", "") || cut("ed", "") || cut("ly", "")
	// "running" → "runn" → "run"; "booked" → "book" keeps its double o.
	if n := len(w); n >= 4 && w[n-1] == w[n-2] && strings.IndexByte("bdgmnprt", w[n-1]) >= 0 {
		w = w[:n-1]
	}
	// "policy"/"policies" meet on "polici"; "base"/"based"/"bases" on "bas".
	if !cut("y", "i") {
		cut("e", "")
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// IsStopword reports whether w is a common English function word, which carries no topic.
func IsStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

var stopwords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
	before being below between both but by can could did do does doing down during each few for from further
	had has have having he her here hers herself him himself his how i if in into is it its itself just me
	more most my myself no nor not now of off on once only or other our ours ourselves out over own same
	she should so some such than that the their theirs them themselves then there these they this those
	through to too under until up very was we were what when where which while who whom why will with would
	you your yours yourself yourselves also may might must shall us`) {
		m[w] = struct{}{}
	}
	return m
}()
