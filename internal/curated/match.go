package curated

import (
	"math"
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

// cosine is the cosine similarity of two vectors; 0 when either has no direction or their
// lengths differ (vectors of another model).
func cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
