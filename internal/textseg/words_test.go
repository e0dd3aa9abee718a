package textseg_test

import (
	"reflect"
	"testing"

	"github.com/docent-search/docent/internal/textseg"
)

func TestStem(t *testing.T) {
	t.Parallel()
	groups := [][]string{
		{"policy", "policies"},
		{"book", "books", "booking", "booked"},
		{"expense", "expenses", "expensed"},
		{"run", "running", "runs"},
		{"day", "days"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if textseg.Stem(w) != textseg.Stem(g[0]) {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q: want equal", w, textseg.Stem(w), g[0], textseg.Stem(g[0]))
			}
		}
	}
	if textseg.Stem("status") != "status" || textseg.Stem("bus") != "bus" {
		t.Error("words ending in -us must keep their s")
	}
}

func TestWords(t *testing.T) {
	t.Parallel()
	got := textseg.Words("Don't e-mail ÄRZTE about 报销, OK?")
	want := []string{"dont", "e", "mail", "ärzte", "about", "报", "销", "ok"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
}
