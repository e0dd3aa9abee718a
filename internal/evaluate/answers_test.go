package evaluate

import (
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/answer"
)

// An answer that quotes two passages of one page cites that page once for citation precision:
// the reader is pointed at one page, right or wrong.
func TestCitedDocumentsCountsAPageOnce(t *testing.T) {
	got := citedDocuments([]answer.Citation{
		{N: 1, Document: "git-daemon.html"}, {N: 2, Document: "git-daemon.html"}, {N: 4, Document: "git.html"},
	})
	if want := []string{"git-daemon.html", "git.html"}; !slices.Equal(got, want) {
		t.Errorf("cited documents %q, want %q", got, want)
	}
}
