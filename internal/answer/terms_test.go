package answer

import (
	"maps"
	"slices"
	"testing"
)

// Contractions of stop words carry no topic, as their stop words do not: "what's" is neither
// the term "what" nor "whats", which no sentence holds. A possessive keeps its word.
func TestTermSetDropsContractionsOfStopWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"what's the guest wifi password":             {"guest", "password", "wifi"},
		"I’m ill and can't log in, don't know why":   {"ill", "know", "log"},
		"the wiki won't load, aren't we connected?":  {"connect", "load", "wiki"},
		"when do I need a doctor's letter":           {"doctor", "letter", "need"},
		"the shell and the well we'd dug, I'd guess": {"dug", "guess", "shell", "well"},
	} {
		if got := slices.Sorted(maps.Keys(termSet(in))); !slices.Equal(got, want) {
			t.Errorf("termSet(%q) = %v, want %v", in, got, want)
		}
	}
}
