package ingest

import (
	"fmt"
	"os"
	"testing"
)

func TestDumpLocal(t *testing.T) {
	name := os.Getenv("DUMP")
	if name == "" {
		t.Skip()
	}
	data, _ := os.ReadFile(name)
	x := &Extractor{}
	doc, err := x.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	body, chunks := Layout(doc, DefaultChunkOptions)
	fmt.Print(render(doc, chunks, body))
}
