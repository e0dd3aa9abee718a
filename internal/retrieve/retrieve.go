// Package retrieve finds the passages that answer a query: vector and full-text (BM25)
// candidates, each filtered by the reader's access groups inside SQL, fused by weighted
// normalised scores, then spread across documents so one long document cannot fill the page.
package retrieve

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/textseg"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Searcher runs queries against the index.
type Searcher struct {
	Pool *pgxpool.Pool
	// Replicas, when set, serve the searches in turn instead of Pool; a replica that cannot be
	// reached hands the search to Pool. They are streaming replicas of Pool's database.
	Replicas []*pgxpool.Pool
	Embedder embedder.Embedder
	// TextSearchConfig is the PostgreSQL text-search configuration that parses queries before the
	// index has statistics naming its configurations (default english).
	TextSearchConfig string
	// Candidates is how many passages each branch proposes before fusion (default 60).
	Candidates int
	// EfSearch is HNSW's candidate list size (default 400): larger is slower and more exact.
	// The built-in embedder needs 400 at 100,000 passages of real text: its recall@10 against
	// exact search there was 0.93-0.94 at 200 (target 0.95) and 0.97-0.98 at 400 in two builds,
	// for about 7 ms more per top-10 query (p95 8 -> 15 ms); at 200, m 24 reached 0.953 with
	// a build 1.8x as long and ef_construction 256 0.946 with one 2.2x as long (BENCHMARKS.md,
	// "Built-in embedder at 100521 passages of real text"). Realistic model embeddings reach
	// 0.97 at 200 already.
	EfSearch int
	// MaxPerDocument caps the passages of one document in a result page (default 2).
	MaxPerDocument int
	// VectorWeight and LexicalWeight scale each branch in the fusion; 0 turns one off
	// (both 0: the defaults).
	VectorWeight, LexicalWeight float64
	// Reranker, when set, reorders the top of the fused ranking (DOCENT_RERANKER).
	Reranker *Reranker

	next atomic.Uint64 // the replica for the next search
	// inspect, when set (by the offline fusion replay, replay_test.go), sees every hybrid
	// search's candidates before fusion, with the embedder's known share of the question.
	inspect func(text string, cands []candidate, known float64)
}

// Default fusion weights: full text leads and the embedding refines, unless full text finds
// little of the question (see fuse). The vector weight was 0.2 while full text counted fully
// only from 40 % coverage (0.3 then cost the handbook set 0.007 and SciFact 0.003 nDCG@10);
// with full trust from 30 % (fullCoverage), 0.25 gains git-doc 0.008 nDCG@10 and costs SciFact
// 0.003 Recall@100 (0.3: git-doc +0.010, SciFact Recall@100 −0.007).
const (
	DefaultLexicalWeight = 1.0
	DefaultVectorWeight  = 0.25
)

// weightedQueryEmbedder is an embedder that can weight each query word, as the built-in one
// does with the index's inverse document frequencies.
type weightedQueryEmbedder interface {
	WeightedQuery(text string, weight func(word string) float64) []float32
}

// knowingEmbedder is an embedder that can say how much of a text it matches by meaning rather
// than by its words alone, as the built-in docent-local-v3 does (the share of the words it has
// word vectors for). An embedder that does not say is trusted with every question.
type knowingEmbedder interface {
	Known(text string) float64
}

// NewSearcher returns a Searcher with the configured text-search language and fusion weights.
func NewSearcher(pool *pgxpool.Pool, e embedder.Embedder, cfg config.Config) *Searcher {
	return &Searcher{Pool: pool, Embedder: e, TextSearchConfig: cfg.TextSearchConfig,
		VectorWeight: cfg.VectorWeight, LexicalWeight: cfg.LexicalWeight, EfSearch: cfg.EfSearch,
		Reranker: NewReranker(cfg)}
}

// Query is what to search for, for whom.
type Query struct {
	Text string
	// Groups are the reader's access groups; documents without groups are visible to all.
	Groups []string
	Limit  int // default 10
	// PerDocument caps the passages of one document (default: the Searcher's MaxPerDocument).
	PerDocument int
	// Mode is "hybrid" (default), "lexical" or "vector": the branches to run, for evaluation.
	Mode string
	// NoSnippets skips the highlighted excerpts, for callers that only rank.
	NoSnippets bool
	// Pinned are documents to put first, in this order, when the reader may see them (see pin).
	Pinned []int64
	// Filters; zero values do not filter.
	Source     string
	PathPrefix string
	Type       string
	After      time.Time
	Before     time.Time
}

// Result is one retrieved passage.
type Result struct {
	ChunkID    int64
	DocumentID int64
	Source     string
	Path       string
	Title      string
	Heading    string
	Anchor     string
	Page       int
	Start, End int
	Text       string
	// OCR marks text recognised from a scan.
	OCR bool
	// snippet holds the highlighted excerpt with \x01…\x02 around matches.
	snippet string
	// Score is the fused rank score; Similarity the cosine similarity to the query (0 in a
	// lexical-only search); Coverage the share of the query's IDF-weighted terms the passage
	// contains (0 when the lexical branch did not propose it).
	Score      float64
	Similarity float64
	Coverage   float64
	// Margin is how far Similarity stands above the mean similarity of the query's nearest
	// passages (the vector branch's candidates): whether this passage stands out for the
	// question, which an absolute similarity cannot tell across embedders and corpora.
	Margin float64
	// Pinned is true for a passage of a pinned document (Query.Pinned).
	Pinned bool
}

// Snippet returns the excerpt as plain text.
func (r Result) Snippet() string {
	return strings.NewReplacer("\x01", "", "\x02", "").Replace(r.snippet)
}

// SnippetHTML returns the excerpt HTML-escaped, with matches in <mark>.
func (r Result) SnippetHTML() string {
	return strings.NewReplacer("\x01", "<mark>", "\x02", "</mark>").Replace(html.EscapeString(r.snippet))
}

// maxQueryBytes bounds the text sent to the embedder and to to_tsvector; longer queries are
// cut at a character boundary rather than refused.
const maxQueryBytes = 4096

// Search returns the best passages for q, never an error for odd query text: an empty or
// unsearchable query returns no results.
func (s *Searcher) Search(ctx context.Context, q Query) ([]Result, error) {
	text := truncate(strings.ToValidUTF8(strings.ReplaceAll(q.Text, "\x00", ""), ""), maxQueryBytes)
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	limit := cmp.Or(q.Limit, 10)
	page := limit
	if s.Reranker != nil {
		page = max(limit, cmp.Or(s.Reranker.Candidates, 20))
	}
	// Enough candidates per branch to fill the page after fusion and per-document capping.
	candidates := max(cmp.Or(s.Candidates, 60), page+page/2)
	mode := cmp.Or(q.Mode, "hybrid")
	weighted, canWeight := s.Embedder.(weightedQueryEmbedder)
	var vec []float32
	if mode != "lexical" && !canWeight {
		var err error
		if vec, err = s.Embedder.EmbedQuery(ctx, text); err != nil {
			return nil, fmt.Errorf("embedding the query: %w", err)
		}
	}
	tsConfig := cmp.Or(s.TextSearchConfig, postgres.DefaultTextSearchConfig)
	var results []Result
	search := func(pool *pgxpool.Pool, tx pgx.Tx) error {
		terms, err := queryTerms(ctx, tx, tsConfig, text)
		if err != nil {
			return err
		}
		if mode != "lexical" && canWeight {
			vec = weighted.WeightedQuery(text, func(word string) float64 {
				if idf, ok := terms.wordIDF[word]; ok {
					return idf
				}
				return 1 // a word the text-search configuration ignores
			})
		}
		if zeroVector(vec) {
			// A query with no word the embedder knows ("'") embeds to zeros, whose cosine
			// distance to every passage is NaN: a NaN score would sort first and cannot be
			// encoded as JSON. Such a vector says nothing, so its branch does not run.
			vec = nil
		}
		ef := max(cmp.Or(s.EfSearch, 400), candidates)
		// Both branches at once: the vector branch on a second connection that imports this
		// transaction's snapshot, while the lexical branch runs here.
		var nearest <-chan nearestResult
		if vec != nil && mode != "vector" && len(terms.lexemes) > 0 {
			var snapshot string
			if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
				return err
			}
			nearest = s.nearestConcurrently(ctx, pool, snapshot, q, vec, candidates, ef)
		}
		if _, err := tx.Exec(ctx, searchSettings(ef)); err != nil {
			return err
		}
		var lex []Scored
		postings := newPostingsReader(tx, terms)
		defer postings.release()
		if mode != "vector" {
			if lex, err = s.lexical(ctx, postings, q, candidates); err != nil {
				return err
			}
		}
		var near *nearestResult
		if nearest != nil {
			if r := <-nearest; r.err != nil {
				return r.err
			} else if r.ran {
				near = &r
			}
		}
		if vec == nil && len(lex) == 0 {
			return nil // nothing left to search with, or nothing matched: no results
		}
		sql, args := s.searchSQL(lex, q, vec, candidates, near)
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (candidate, error) {
			var c candidate
			var bm25, sim *float64
			err := row.Scan(&c.id, &c.doc, &bm25, &sim, &c.coverage, &c.nearest, &c.path, &c.start)
			if bm25 != nil {
				c.bm25 = *bm25
			}
			// A passage embedded as the zero vector (all its words are stop words to the
			// embedder, not to PostgreSQL) has no cosine similarity: NaN, which would poison
			// every fused score. It has none, so it counts as 0.
			if sim != nil && !math.IsNaN(*sim) {
				c.sim = *sim
			}
			return c, err
		})
		if err != nil {
			return err
		}
		// The whole document's match counts with its best passage's (see documentWeight); only
		// in hybrid searches, so that lexical-only stays exact BM25 over passages.
		if mode == "hybrid" && len(lex) > 0 {
			docs, err := documentBM25(ctx, postings, cands)
			if err != nil {
				return err
			}
			for i := range cands {
				cands[i].docBM25 = docs[cands[i].doc]
			}
		}
		vw, lw := s.VectorWeight, s.LexicalWeight
		if vw == 0 && lw == 0 {
			vw, lw = DefaultVectorWeight, DefaultLexicalWeight
		}
		known := 1.0
		if k, ok := s.Embedder.(knowingEmbedder); ok {
			known = k.Known(text)
		}
		if s.inspect != nil {
			s.inspect(text, slices.Clone(cands), known)
		}
		top := fuse(cands, lw, vw, trustFloor(text, known), page, max(cmp.Or(q.PerDocument, s.MaxPerDocument, 2), 1))
		if len(q.Pinned) > 0 {
			if top, err = s.pin(ctx, tx, q, vec, top, page); err != nil {
				return err
			}
		}
		results, err = s.fetch(ctx, tx, top, terms, q.NoSnippets)
		return err
	}
	// One snapshot for the whole search: access is checked in the lexical branch and the
	// passages are read in later statements, and a document whose groups narrow in between
	// must not be read with the groups it had before.
	if err := s.read(ctx, search); err != nil {
		return nil, fmt.Errorf("searching: %w", err)
	}
	if s.Reranker != nil {
		results = pinnedFirst(s.Reranker.rerank(ctx, text, results, limit))
	}
	return results, nil
}

// read runs fn in a read-only snapshot of a replica in turn (Replicas), or of Pool where there
// is none or the replica cannot be reached, with JIT compilation off.
//
// A search's statements are short, and JIT only ever adds its compile time to them: once a
// corpus is large, the planner's estimates for the term lookup (queryTerms) pass
// jit_above_cost, and at 284,279 passages of real text (scripts/corpus-realtext.sh: English,
// French and German configurations) PostgreSQL compiled it for over a second on every search.
// `indexer eval` of 40 queries (a passage's first 8 words), two runs each, p50 / p95 before →
// after: vector-only 1,174-1,361 / 1,790-1,831 → 22 / 44-47 ms, lexical 1,497-1,498 /
// 1,837-1,901 → 28-32 / 50-64 ms, hybrid 1,351-1,652 / 1,878-1,944 → 50-51 / 78-97 ms. The dev
// sets are too small for it to show.
func (s *Searcher) read(ctx context.Context, fn func(pool *pgxpool.Pool, tx pgx.Tx) error) error {
	readOnly := pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}
	run := func(pool *pgxpool.Pool) error {
		return pgx.BeginTxFunc(ctx, pool, readOnly, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
				return err
			}
			return fn(pool, tx)
		})
	}
	pool := s.Pool
	if len(s.Replicas) > 0 {
		pool = s.Replicas[(s.next.Add(1)-1)%uint64(len(s.Replicas))]
	}
	err := run(pool)
	if pool != s.Pool && postgres.Unavailable(err) && ctx.Err() == nil {
		err = run(s.Pool)
	}
	return err
}

// fetch reads the page's passages, in the page's order, with their highlighted excerpts
// unless noSnippets: the excerpts are the costly part, so only the page gets them.
func (s *Searcher) fetch(ctx context.Context, tx pgx.Tx, page []candidate, t terms, noSnippets bool) ([]Result, error) {
	if len(page) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	snippet := "''"
	args := []any{ids}
	if !noSnippets {
		var lexemes []string
		for _, tm := range t.lexemes {
			if !tm.exact { // the passage's text is parsed into stems only
				lexemes = append(lexemes, tsqueryLiteral(tm.lexeme))
			}
		}
		// Each passage's excerpt is parsed with its own configuration (its language's).
		snippet = `ts_headline(c.ts_config, c.text, $2::tsquery,
           'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter="` + fragmentDelimiter + `"')`
		args = append(args, strings.Join(lexemes, " | "))
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`
SELECT c.id, d.id, s.name, d.path, d.title, c.heading, c.anchor, c.page, c.start_offset, c.end_offset, c.text, c.ocr, %s
FROM unnest($1::bigint[]) WITH ORDINALITY AS p(id, n)
JOIN chunks c ON c.id = p.id
JOIN documents d ON d.id = c.document_id
JOIN sources s ON s.id = d.source_id
ORDER BY p.n`, snippet), args...)
	if err != nil {
		return nil, err
	}
	results, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Result, error) {
		var r Result
		err := row.Scan(&r.ChunkID, &r.DocumentID, &r.Source, &r.Path, &r.Title, &r.Heading, &r.Anchor,
			&r.Page, &r.Start, &r.End, &r.Text, &r.OCR, &r.snippet)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	for i := range results {
		results[i].snippet = elide(results[i].snippet, results[i].Text)
	}
	// By id, not position: a passage deleted since the candidates were read is simply absent.
	byID := make(map[int64]candidate, len(page))
	for _, c := range page {
		byID[c.id] = c
	}
	for i := range results {
		c := byID[results[i].ChunkID]
		results[i].Score, results[i].Similarity, results[i].Coverage, results[i].Margin = c.score, c.sim, c.coverage, c.margin
		results[i].Pinned = c.pinned
	}
	return results, nil
}

// fragmentDelimiter joins the excerpt's pieces (ts_headline's FragmentDelimiter in fetch).
const fragmentDelimiter = " … "

// elide marks where the excerpt snippet (with its match markers) leaves out text of the
// passage: "… " before it when words come before, " …" after it when words follow. An excerpt
// that stopped mid-sentence ("Keep the receipt") read as the whole rule. ts_headline ends an
// excerpt at a word, so the punctuation that ends the passage is put back instead; and it
// starts one at a word too, often a sentence's last ("racks. The racks are emptied…"), which
// is left out when no match is in it.
func elide(snippet, text string) string {
	snippet = strings.TrimSpace(snippet)
	plain := strings.NewReplacer("\x01", "", "\x02", "").Replace(snippet)
	first, _, _ := strings.Cut(plain, fragmentDelimiter)
	last := plain
	if i := strings.LastIndex(plain, fragmentDelimiter); i >= 0 {
		last = plain[i+len(fragmentDelimiter):]
	}
	i, j := strings.Index(text, first), strings.LastIndex(text, last)
	if plain == "" || i < 0 || j < 0 { // not found as written: nothing to tell
		return snippet
	}
	words := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
	}
	if words(text[:i]) {
		// Up to the first match, the excerpt is the passage's text byte for byte.
		unmarked := strings.IndexByte(snippet, '\x01')
		if unmarked < 0 {
			unmarked = len(first)
		}
		for _, sp := range textseg.Sentences(textseg.Unwrap(text)) { // offsets kept
			if k := sp.Start - i; k > 0 && k < len(first)/2 && k <= unmarked {
				snippet = snippet[k:]
				break
			} else if k >= 0 {
				break
			}
		}
		snippet = "… " + snippet
	}
	if rest := strings.TrimSpace(text[j+len(last):]); words(rest) {
		snippet += " …"
	} else {
		snippet += rest
	}
	return snippet
}

// zeroVector reports whether v has no direction (every component zero, or none).
func zeroVector(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
