package source

import (
	"slices"
	"testing"
)

// Enclosing lists the paths a document's path runs through: where the file on disk that holds
// an e-mail attachment's document is looked for.
func TestEnclosing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"inbox/offer.eml/fwd.eml/prices.xlsx", []string{"inbox", "inbox/offer.eml", "inbox/offer.eml/fwd.eml"}},
		{"offer.eml/notes.txt", []string{"offer.eml"}},
		{"notes.txt", nil},
		{"", nil},
	} {
		if got := Enclosing(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("Enclosing(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
