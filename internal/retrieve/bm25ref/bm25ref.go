// Package bm25ref is a reference Okapi BM25 for tests: it reads every chunk's tsvector as text,
// counts term and document frequencies itself and scores every chunk for a query, with nothing
// shared with the search's postings, statistics or pruning. The search must return the same
// top k with the same scores.
package bm25ref

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/textseg"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Chunk is one indexed chunk as the reference sees it.
type Chunk struct {
	ID     int64
	Path   string
	Groups []string
	tf     map[string]counts
	length int
}

// counts are a lexeme's occurrences in a chunk: in all, and of those in the title (tsvector
// weight A) and the heading path (weight B).
type counts struct{ all, title, heading int }

// Index holds every chunk's term frequencies.
type Index struct {
	Chunks []Chunk
	df     map[string]int
	avgdl  float64
}

// Load reads every chunk of the database (of source, when not empty), with its document's
// path and its groups.
func Load(ctx context.Context, pool *pgxpool.Pool, source string) (*Index, error) {
	rows, err := pool.Query(ctx, `SELECT c.id, d.path, c.groups, c.tsv::text FROM chunks c JOIN documents d ON d.id = c.document_id
		JOIN sources s ON s.id = d.source_id WHERE $1 = '' OR s.name = $1 ORDER BY c.id`, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ix := &Index{df: map[string]int{}}
	var total int
	for rows.Next() {
		var c Chunk
		var tsv string
		if err := rows.Scan(&c.ID, &c.Path, &c.Groups, &tsv); err != nil {
			return nil, err
		}
		if c.tf, err = parseTSVector(tsv); err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c.ID, err)
		}
		for lexeme, n := range c.tf {
			ix.df[lexeme]++
			if !strings.HasPrefix(lexeme, "=") { // exact word forms count in no length (migration 00024)
				c.length += n.all
			}
		}
		total += c.length
		ix.Chunks = append(ix.Chunks, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ix.avgdl = math.Max(float64(total)/math.Max(float64(len(ix.Chunks)), 1), 1)
	return ix, nil
}

// parseTSVector reads tsvector text output ('lexeme':1A,5B,7 'other':2) into occurrence counts.
func parseTSVector(s string) (map[string]counts, error) {
	out := map[string]counts{}
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			i++
			continue
		}
		if s[i] != '\'' {
			return nil, fmt.Errorf("tsvector %q: want a quote at %d", s, i)
		}
		var b strings.Builder
		for i++; ; i++ {
			if i >= len(s) {
				return nil, fmt.Errorf("tsvector %q: unterminated lexeme", s)
			}
			if s[i] == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
				continue
			}
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				i++
				break
			}
			b.WriteByte(s[i])
		}
		n := counts{all: 1}
		if i < len(s) && s[i] == ':' {
			end := strings.IndexByte(s[i:], ' ')
			if end < 0 {
				end = len(s) - i
			}
			positions := strings.Split(s[i+1:i+end], ",")
			n.all = len(positions)
			for _, p := range positions {
				switch p[len(p)-1] {
				case 'A':
					n.title++
				case 'B':
					n.heading++
				}
			}
			i += end
		}
		out[b.String()] = n
	}
	return out, nil
}

// Lexemes returns the query's lexemes as the search parses it: each word (as textseg.SearchWords
// splits the text) becomes its first lexeme under the text-search configuration.
func Lexemes(ctx context.Context, pool *pgxpool.Pool, config, text string) ([]string, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT l FROM unnest($2::text[]) AS w,
		LATERAL (SELECT lexeme AS l FROM unnest(to_tsvector($1::regconfig, w)) LIMIT 1) x`, config, textseg.SearchWords(text))
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Hit is a scored chunk.
type Hit struct {
	ID    int64
	Score float64
}

// Params are BM25's k1 and b and the weights of an occurrence in the title and the heading path
// relative to one in the text.
type Params struct{ K1, B, TitleWeight, HeadingWeight float64 }

// TopK scores every chunk allow accepts with Okapi BM25 (Lucene's IDF), each lexeme's
// occurrences weighted by field, and returns the k best, ties by id.
func (ix *Index) TopK(lexemes []string, p Params, k int, allow func(Chunk) bool) []Hit {
	k1, b := p.K1, p.B
	n := float64(len(ix.Chunks))
	var hits []Hit
	for _, c := range ix.Chunks {
		if !allow(c) {
			continue
		}
		var score float64
		for _, l := range lexemes {
			o, ok := c.tf[l]
			if !ok {
				continue
			}
			tf := float64(o.all-o.title-o.heading) + p.TitleWeight*float64(o.title) + p.HeadingWeight*float64(o.heading)
			df := float64(ix.df[l])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			score += idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(c.length)/ix.avgdl))
		}
		if score > 0 {
			hits = append(hits, Hit{c.ID, score})
		}
	}
	slices.SortFunc(hits, func(a, b Hit) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID)) })
	return hits[:min(k, len(hits))]
}

// String formats hits for a failure message.
func String(hits []Hit) string {
	var b strings.Builder
	for _, h := range hits {
		b.WriteString(strconv.FormatInt(h.ID, 10) + ":" + strconv.FormatFloat(h.Score, 'f', 4, 64) + " ")
	}
	return b.String()
}

// Documents scores every document (by path) holding one of the lexemes with Okapi BM25 over
// the document as a whole: its chunks' occurrences and lengths summed, document frequencies
// counted over documents, the average length over documents.
func (ix *Index) Documents(lexemes []string, p Params) map[string]float64 {
	type doc struct {
		tf     map[string]float64
		length float64
	}
	docs := map[string]*doc{}
	var total float64
	for _, c := range ix.Chunks {
		d := docs[c.Path]
		if d == nil {
			d = &doc{tf: map[string]float64{}}
			docs[c.Path] = d
		}
		for l, o := range c.tf {
			d.tf[l] += float64(o.all-o.title-o.heading) + p.TitleWeight*float64(o.title) + p.HeadingWeight*float64(o.heading)
		}
		d.length += float64(c.length)
		total += float64(c.length)
	}
	n := float64(len(docs))
	avgdl := total / math.Max(n, 1)
	out := map[string]float64{}
	for _, l := range lexemes {
		var df float64
		for _, d := range docs {
			if d.tf[l] > 0 {
				df++
			}
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for path, d := range docs {
			if tf := d.tf[l]; tf > 0 {
				out[path] += idf * tf * (p.K1 + 1) / (tf + p.K1*(1-p.B+p.B*d.length/avgdl))
			}
		}
	}
	return out
}
