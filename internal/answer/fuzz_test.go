package answer

import (
	"strconv"
	"testing"

	"github.com/docent-search/docent/internal/retrieve"
)

// FuzzCitations checks the citation parser on arbitrary model output: markers that survive point
// at a provided source, and the support check never panics.
func FuzzCitations(f *testing.F) {
	f.Add("Claim [1]. Other [2][3]. Bad [0] [999] [x] [", 2)
	f.Add("[1", 1)
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = max(0, min(n, 5))
		out, cited := resolveCitations(text, n)
		for _, c := range cited {
			if c < 1 || c > n {
				t.Fatalf("citation %d kept with %d sources", c, n)
			}
		}
		for _, m := range marker.FindAllStringSubmatch(out, -1) {
			if k, _ := strconv.Atoi(m[1]); k < 1 || k > n {
				t.Fatalf("marker %s survived with %d sources: %q", m[0], n, out)
			}
		}
		sources := make([]retrieve.Result, n)
		unsupported(out, sources)
	})
}
