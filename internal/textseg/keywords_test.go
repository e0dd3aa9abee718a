package textseg

import (
	"slices"
	"testing"
)

func TestKeywords(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"WHERE vs HAVING in SQL", []string{"where", "having", "sql"}},
		{"what does ON CONFLICT do", []string{"on", "conflict"}},
		{"what does the with statement do", nil},
		{"WHAT DOES THE WITH STATEMENT DO", nil}, // all capitals: nothing stands out
		{"how do I rename a branch", nil},        // one letter is no keyword
		{"the initiation factor IF3", nil},       // nor a name with a digit
		{"mediated by NO.", []string{"no"}},
		{"DON'T use it", nil},
	} {
		if got := Keywords(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Keywords(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
