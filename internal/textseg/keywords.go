package textseg

import (
	"strings"
	"unicode"
)

// Keywords returns the words (lower-cased, as Words splits them) that text writes as keywords:
// in capitals, in a text not all in capitals ("WHERE vs HAVING", "what does ON CONFLICT do").
// A stop word so written is the subject of a question ("the AS keyword"), where in lower case
// ("what does it do") it carries none; manuals write such keywords in capitals too.
func Keywords(text string) []string {
	caps := Capitals(text)
	if len(caps) == len(Words(text)) {
		return nil
	}
	return caps
}

// Capitals returns the words (lower-cased, as Words splits them) that text writes in capitals,
// two letters or more and no digit ("IF3" is a name): "WHERE", "NULL".
func Capitals(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' }) {
		if capitals(w) {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// capitals reports a word of two letters or more, all capitals.
func capitals(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}
