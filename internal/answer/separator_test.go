package answer

import (
	"testing"

	"github.com/docent-search/docent/internal/ingest"
)

// TestHeadingSeparatorIsTheIndexers checks that the answerer splits heading paths with the
// separator the indexer joins them with (the answerer keeps its own copy so as not to import
// the parsers).
func TestHeadingSeparatorIsTheIndexers(t *testing.T) {
	if headingSeparator != ingest.HeadingSeparator {
		t.Errorf("headingSeparator %q, ingest.HeadingSeparator %q", headingSeparator, ingest.HeadingSeparator)
	}
}
