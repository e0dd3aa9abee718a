package curated

import (
	"strings"
	"unicode"
)

// Normalise is a question as matching compares it exactly: lower case, words only, single
// spaces, so that "How do I book travel?" and "how do I book  travel" are the same question.
func Normalise(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}), " ")
}
