package ingest

import (
	"bytes"
	"testing"

	"github.com/docent-search/docent/internal/sampledocs"
	"github.com/richardlehane/mscfb"
)

// FuzzCFBDepth: cfbDepth walks a compound file's directory as mscfb's traversal does, so the
// depth it finds is at least the longest path mscfb gives an entry of any file mscfb opens
// (more where a damaged directory reaches an entry twice: mscfb keeps the last path, having
// built both): a file it found shallower could pass the check and still cost mscfb quadratic
// memory.
func FuzzCFBDepth(f *testing.F) {
	f.Add(deepStorages("WordDocument", 5))
	f.Add(sampledocs.MSG(sampledocs.Outlook{Subject: "S", Body: "b", Attachments: []sampledocs.File{{Name: "a", Data: []byte("a")}},
		Embedded: []sampledocs.Outlook{{Subject: "E", Embedded: []sampledocs.Outlook{{Subject: "F"}}}}}))
	f.Add(sampledocs.WordDoc("Text.\r", sampledocs.WordDocOptions{}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		r, err := mscfb.New(bytes.NewReader(data))
		if err != nil {
			return
		}
		longest := 0
		for _, e := range r.File {
			longest = max(longest, len(e.Path))
		}
		if got := cfbDepth(data); got < longest {
			t.Fatalf("cfbDepth = %d, mscfb's longest path %d", got, longest)
		}
	})
}
