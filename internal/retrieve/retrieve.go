// Package retrieve finds the passages that answer a query: vector and full-text candidates,
// each filtered by the reader's access groups inside SQL, fused by reciprocal rank, then spread
// across documents so one long document cannot fill the page.
package retrieve

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docent-search/docent/internal/embed"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
)

// Searcher runs queries against the index.
type Searcher struct {
	Pool     *pgxpool.Pool
	Embedder embed.Embedder
	// TextSearchConfig is the PostgreSQL text-search configuration (default english).
	TextSearchConfig string
	// Candidates is how many passages each branch proposes before fusion (default 60).
	Candidates int
	// EfSearch is HNSW's candidate list size (default 100): larger is slower and more exact.
	EfSearch int
	// MaxPerDocument caps the passages of one document in a result page (default 2).
	MaxPerDocument int
	// VectorWeight and LexicalWeight scale each branch in the fusion (default 1 each).
	VectorWeight, LexicalWeight float64
}

// Query is what to search for, for whom.
type Query struct {
	Text string
	// Groups are the reader's access groups; documents without groups are visible to all.
	Groups []string
	Limit  int // default 10
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
	// snippet holds the highlighted excerpt with \x01…\x02 around matches.
	snippet string
	// Score is the fused rank score; Similarity the cosine similarity to the query (0 when the
	// vector branch did not propose this passage); Lexical whether the words matched.
	Score      float64
	Similarity float64
	Lexical    bool
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
	vec, err := s.Embedder.EmbedQuery(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("embedding the query: %w", err)
	}
	var results []Result
	err = pgx.BeginTxFunc(ctx, s.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// Iterative scans keep the HNSW index useful when access or filters reject most of
		// the nearest neighbours: pgvector keeps scanning until enough rows pass.
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = %d`,
			cmp.Or(s.EfSearch, 100))); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, searchSQL,
			pgvector.NewVector(vec), text, cmp.Or(s.TextSearchConfig, "english"), cmp.Or(s.Candidates, 60),
			nonNil(q.Groups), q.Source, q.PathPrefix, q.Type, nullTime(q.After), nullTime(q.Before),
			cmp.Or(s.VectorWeight, 1.0), cmp.Or(s.LexicalWeight, 1.0))
		if err != nil {
			return err
		}
		results, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Result, error) {
			var r Result
			err := row.Scan(&r.ChunkID, &r.DocumentID, &r.Source, &r.Path, &r.Title, &r.Heading, &r.Anchor,
				&r.Page, &r.Start, &r.End, &r.Text, &r.snippet, &r.Score, &r.Similarity, &r.Lexical)
			return r, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("searching: %w", err)
	}
	return diversify(results, limit, cmp.Or(s.MaxPerDocument, 2)), nil
}

// searchSQL fuses the two branches with reciprocal rank fusion (k = 60). Both branches apply
// the access and filter conditions themselves, so no restricted row is ever fetched.
//
// The lexical query ORs the question's stemmed words: a question in plain words rarely has every
// word in the passage that answers it, so AND semantics would miss most answers.
const searchSQL = `
WITH allowed AS MATERIALIZED (
	SELECT d.id FROM documents d JOIN sources s ON s.id = d.source_id
	WHERE d.status = 'indexed'
	  AND ($6 = '' OR s.name = $6)
	  AND ($7 = '' OR starts_with(d.path, $7))
	  AND ($8 = '' OR d.type = $8)
	  AND ($9::timestamptz IS NULL OR d.mtime >= $9)
	  AND ($10::timestamptz IS NULL OR d.mtime < $10)
),
q AS (
	SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(lexeme), ' | '), '')) AS tsq
	FROM unnest(to_tsvector($3::regconfig, $2))
),
vec AS (
	SELECT c.id, 1 - (c.embedding <=> $1) AS sim,
	       row_number() OVER (ORDER BY c.embedding <=> $1) AS r
	FROM (SELECT id, embedding FROM chunks c
	      WHERE c.embedding IS NOT NULL
	        AND (cardinality(c.groups) = 0 OR c.groups && $5::text[])
	        AND c.document_id IN (SELECT id FROM allowed)
	      ORDER BY c.embedding <=> $1 LIMIT $4) c
),
lex AS (
	SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.tsv, q.tsq, 1) DESC, c.id) AS r
	FROM chunks c, q
	WHERE c.tsv @@ q.tsq
	  AND (cardinality(c.groups) = 0 OR c.groups && $5::text[])
	  AND c.document_id IN (SELECT id FROM allowed)
	ORDER BY ts_rank_cd(c.tsv, q.tsq, 1) DESC, c.id LIMIT $4
),
fused AS (
	SELECT coalesce(vec.id, lex.id) AS id,
	       coalesce($11::float8 / (60 + vec.r), 0) + coalesce($12::float8 / (60 + lex.r), 0) AS score,
	       coalesce(vec.sim, 0) AS sim, lex.id IS NOT NULL AS lexical
	FROM vec FULL OUTER JOIN lex ON vec.id = lex.id
)
SELECT c.id, d.id, s.name, d.path, d.title, c.heading, c.anchor, c.page, c.start_offset, c.end_offset, c.text,
       ts_headline($3::regconfig, c.text, q.tsq,
           'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=40, MinWords=20, MaxFragments=2, FragmentDelimiter=" … "'),
       f.score, f.sim, f.lexical
FROM fused f
JOIN chunks c ON c.id = f.id
JOIN documents d ON d.id = c.document_id
JOIN sources s ON s.id = d.source_id
CROSS JOIN q
ORDER BY f.score DESC, c.id
`

// diversify keeps the best passages, at most perDoc from any one document.
func diversify(rs []Result, limit, perDoc int) []Result {
	count := map[int64]int{}
	out := make([]Result, 0, min(limit, len(rs)))
	for _, r := range rs {
		if count[r.DocumentID] >= perDoc {
			continue
		}
		count[r.DocumentID]++
		out = append(out, r)
		if len(out) == limit {
			break
		}
	}
	return out
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

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
