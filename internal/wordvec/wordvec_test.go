package wordvec_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/wordvec"
)

func TestWriteReadRoundTrip(t *testing.T) {
	words := []string{"the", "holiday", "vacation"}
	vecs := [][]float32{{1, 0, 0}, {0, 3, 4}, {0, 4, 3}}
	var buf bytes.Buffer
	if err := wordvec.Write(&buf, words, vecs); err != nil {
		t.Fatal(err)
	}
	v, err := wordvec.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 3 || v.Dim() != 3 {
		t.Fatalf("read %d words of %d dims, want 3 of 3", v.Len(), v.Dim())
	}
	r, ok := v.Rank("vacation")
	if !ok || r != 2 || v.Word(r) != "vacation" {
		t.Fatalf("rank of vacation = %d, %v", r, ok)
	}
	if _, ok := v.Rank("absent"); ok {
		t.Fatal("an absent word has a rank")
	}
	// Stored normalised: (0, .6, .8)·(0, .8, .6) = 0.96, within int8 quantisation.
	if got := v.Similarity(1, 2); math.Abs(got-0.96) > 0.01 {
		t.Fatalf("similarity %.4f, want 0.96", got)
	}
	dst := make([]float64, 3)
	v.AddTo(dst, 1, 2)
	if math.Abs(dst[1]-1.2) > 0.01 || math.Abs(dst[2]-1.6) > 0.01 {
		t.Fatalf("AddTo gave %v, want [0 1.2 1.6]", dst)
	}
}

func TestReadRejectsOtherFiles(t *testing.T) {
	for name, data := range map[string]string{
		"empty":     "",
		"other":     "{\"precision\":8}",
		"truncated": "DOCENTWV1\n\x02\x00\x00\x00\x03\x00\x00\x00\x03the",
		"huge":      "DOCENTWV1\n\xff\xff\xff\xff\x03\x00\x00\x00",
	} {
		if _, err := wordvec.Read(strings.NewReader(data)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func TestMissingFileNamesTheFetchCommand(t *testing.T) {
	for _, path := range []string{filepath.Join(t.TempDir(), "absent.bin"), "no/such/wordvectors.bin"} {
		_, err := wordvec.Load(path)
		if err == nil || !strings.Contains(err.Error(), wordvec.FetchCommand) {
			t.Fatalf("Load(%s) = %v, want an error naming %s", path, err, wordvec.FetchCommand)
		}
	}
}

func TestResolveFindsRelativePathInParents(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, ".data"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := wordvec.Write(&buf, []string{"a"}, [][]float32{{1, 2}}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, ".data", "wv.bin")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "internal", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	got, err := wordvec.Resolve(".data/wv.bin")
	if err != nil || got != file {
		t.Fatalf("Resolve = %q, %v; want %q", got, err, file)
	}
	v, err := wordvec.Load(".data/wv.bin")
	if err != nil || v.Len() != 1 {
		t.Fatalf("Load = %v, %v", v, err)
	}
}
