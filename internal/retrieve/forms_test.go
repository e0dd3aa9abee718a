package retrieve

import (
	"slices"
	"testing"
)

func TestOtherNumber(t *testing.T) {
	for w, want := range map[string][]string{
		"droits": {"droit"}, "droit": {"droits"}, "morceaux": {"morceau", "morceal"}, "noyau": {"noyaux"},
		"lignes": {"ligne"}, "journaux": {"journau", "journal"}, "journal": {"journals", "journaux"}, "des": nil, "stress": nil, "sha256": nil, "été": nil,
		"fils": nil, "temps": nil, "cours": nil,
	} {
		if got := otherNumber(w); !slices.Equal(got, want) {
			t.Errorf("otherNumber(%q) = %q, want %q", w, got, want)
		}
	}
}
