package retrieve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/docent-search/docent/internal/embed"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// BM25 parameters: the values that suit short passages in Anserini's BEIR baselines.
const (
	bm25K1 = 0.9
	bm25B  = 0.4
	// maxTerms bounds the query terms scored (the rarest are kept): a 10 KB query must not
	// become a 2,000-term expression.
	maxTerms = 32
	// candidateBudget bounds the chunks the lexical branch scores, since scoring reads each
	// candidate's row (about 20 µs each at 200,000 chunks): see candidates.
	candidateBudget = 1500
)

// term is a query lexeme with its inverse document frequency.
type term struct {
	lexeme string
	df     int64
	idf    float64
}

// terms is the lexical side of a query.
type terms struct {
	lexemes []term // scored, rarest first
	cand    string // the tsquery that selects the candidates
	// common: even the rarest term occurs in over half the chunks, so BM25 can barely tell
	// its matches apart and finding them all would cost a scan of most of the index.
	common bool
	avgdl  float64
	// wordIDF maps each query word (as embed.Words splits it) to the IDF of its lexeme.
	wordIDF map[string]float64
}

// queryTerms parses the query with PostgreSQL's text-search configuration (the same stemming
// as the index) and looks up each lexeme's document frequency.
func queryTerms(ctx context.Context, tx pgx.Tx, config, text string) (terms, error) {
	words := slices.Compact(slices.Sorted(slices.Values(embed.Words(text))))
	// One row per query word: the word's lexeme (empty for a stop word) and its document
	// frequency, with the corpus size and average chunk length on every row.
	rows, err := tx.Query(ctx, `
		WITH st AS (SELECT chunks, avg_words FROM corpus_stats UNION ALL SELECT 0, 0 LIMIT 1),
		w AS (SELECT w, coalesce((SELECT lexeme FROM unnest(to_tsvector($1::regconfig, w)) LIMIT 1), '') AS lexeme
		      FROM unnest($2::text[]) AS w)
		SELECT w.w, w.lexeme, coalesce(ts.df, 0), st.chunks, st.avg_words
		FROM w CROSS JOIN st LEFT JOIN term_stats ts ON ts.lexeme = w.lexeme`, config, words)
	if err != nil {
		return terms{}, fmt.Errorf("parsing the query: %w", err)
	}
	out := terms{wordIDF: map[string]float64{}}
	var n int64
	lexemeWords := map[string][]string{}
	dfs := map[string]int64{}
	for rows.Next() {
		var word, lexeme string
		var df int64
		if err := rows.Scan(&word, &lexeme, &df, &n, &out.avgdl); err != nil {
			rows.Close()
			return terms{}, err
		}
		if lexeme != "" {
			lexemeWords[lexeme] = append(lexemeWords[lexeme], word)
			dfs[lexeme] = df
		}
	}
	if err := rows.Err(); err != nil {
		return terms{}, fmt.Errorf("parsing the query: %w", err)
	}
	n = max(n, 1)
	out.avgdl = max(out.avgdl, 1)
	for lexeme, df := range dfs {
		d := float64(min(df, n))
		t := term{lexeme: lexeme, df: df, idf: math.Log(1 + (float64(n)-d+0.5)/(d+0.5))}
		out.lexemes = append(out.lexemes, t)
		for _, w := range lexemeWords[lexeme] {
			out.wordIDF[w] = t.idf
		}
	}
	slices.SortStableFunc(out.lexemes, func(a, b term) int {
		switch {
		case a.df != b.df:
			return int(a.df - b.df)
		}
		return strings.Compare(a.lexeme, b.lexeme)
	})
	out.lexemes = out.lexemes[:min(len(out.lexemes), maxTerms)]
	out.cand = candidates(out.lexemes, n)
	out.common = len(out.lexemes) > 0 && out.lexemes[0].df*2 > n
	return out, nil
}

// candidates returns the tsquery whose matches the lexical branch scores, chosen so that
// about candidateBudget chunks match, never many more (the SQL also stops at the budget):
//   - the rarest terms joined by OR, as many as fit the budget: every chunk containing one of
//     them is scored, so BM25's top passages for a query with a rare word are exact;
//   - when even the rarest term matches more, chunks containing at least two of the rarest
//     five terms, or else all of them: the passages with several query words, which are the
//     ones BM25 ranks first;
//   - a single common term alone, of which the first budget's worth of chunks is scored.
//
// The sizes are estimated from document frequencies, assuming terms occur independently.
func candidates(ts []term, n int64) string {
	if len(ts) == 0 {
		return ""
	}
	lit := func(t term) string { return tsqueryLiteral(t.lexeme) }
	var or []string
	var sum int64
	for _, t := range ts {
		if sum+t.df > candidateBudget {
			break
		}
		sum += t.df
		or = append(or, lit(t))
	}
	switch {
	case len(or) > 0:
		return strings.Join(or, " | ")
	case len(ts) == 1:
		return lit(ts[0])
	}
	rare := ts[:min(len(ts), 5)]
	var pairs []string
	var est float64
	for i, a := range rare {
		for _, b := range rare[i+1:] {
			pairs = append(pairs, "("+lit(a)+" & "+lit(b)+")")
			est += float64(a.df) * float64(b.df) / float64(n)
		}
	}
	if est <= candidateBudget {
		return strings.Join(pairs, " | ")
	}
	all := make([]string, len(rare))
	for i, t := range rare {
		all[i] = lit(t)
	}
	return strings.Join(all, " & ")
}

// tsqueryLiteral quotes a lexeme as a tsquery operand, so no character of it is an operator.
func tsqueryLiteral(lexeme string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(lexeme, `\`, `\\`), "'", "''") + "'"
}

// searchSQL builds the query that gathers the vector and lexical branches' candidates, and its
// arguments.
// Both branches apply the access and filter conditions themselves, so no restricted row is ever
// fetched; the indexes (HNSW, GIN) drive each branch and the conditions are checked per
// candidate, with HNSW's iterative scan continuing past rejected rows.
//
// The lexical branch ranks by BM25: each query lexeme weighs by its inverse document
// frequency, its term frequency saturates (ts_rank of the single lexeme: 1, 1.25, 1.36 … for
// one, two, three occurrences), and long chunks are normalised against the average length.
// Scoring calls ts_rank once per lexeme on the in-row tsvector, which is far cheaper than
// unnesting it.
//
// It returns every candidate with both branches' scores; fuse ranks them.
//
// coverage is the share of the query's IDF mass the chunk contains: "how much of the question
// does this passage speak to", used to decide whether anything answers at all.
func (s *Searcher) searchSQL(t terms, q Query, vec []float32, candidates int) (string, []any) {
	var args []any
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// The limit is inlined so the planner knows it is small and lets the indexes drive; the
	// empty-groups test is written as an equality so column statistics estimate it.
	k, groups := strconv.Itoa(candidates), param(nonNil(q.Groups))
	access := fmt.Sprintf("(c.groups = '{}' OR c.groups && %s::text[])", groups)
	var filters []string
	if q.Source != "" {
		filters = append(filters, "s.name = "+param(q.Source))
	}
	if q.PathPrefix != "" {
		filters = append(filters, "starts_with(d.path, "+param(q.PathPrefix)+")")
	}
	if q.Type != "" {
		filters = append(filters, "d.type = "+param(q.Type))
	}
	if !q.After.IsZero() {
		filters = append(filters, "d.mtime >= "+param(q.After))
	}
	if !q.Before.IsZero() {
		filters = append(filters, "d.mtime < "+param(q.Before))
	}
	if len(filters) > 0 {
		// OFFSET 0 keeps this a check per candidate: as a join, a misestimated filter (an
		// unanalysed one-row sources table) made the planner compute every distance and sort,
		// 70 ms instead of 7 on SciFact.
		access += fmt.Sprintf(` AND EXISTS (SELECT 1 FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE d.id = c.document_id AND %s OFFSET 0)`, strings.Join(filters, " AND "))
	}

	lex := "SELECT NULL::bigint AS id, 0::float8 AS score, 0::float8 AS coverage WHERE false"
	if len(t.lexemes) > 0 {
		// A query of only very common words ranks the vector branch's candidates by BM25
		// instead of scanning the index for matches.
		from := "SELECT c.id, c.tsv, c.words FROM chunks c WHERE c.id IN (SELECT id FROM vec)"
		if !t.common || vec == nil {
			from = fmt.Sprintf("SELECT c.id, c.tsv, c.words FROM chunks c WHERE c.tsv @@ %s::tsquery AND %s LIMIT %d",
				param(t.cand), access, candidateBudget)
		}
		var ranks, score, matched []string
		var idfTotal float64
		for i, tm := range t.lexemes {
			// A tsquery parameter is parsed once, not once per row.
			lq := param(tsqueryLiteral(tm.lexeme))
			ranks = append(ranks, fmt.Sprintf("ts_rank('{1, 1, 1, 1}', c.tsv, %s::tsquery) AS r%d", lq, i))
			score = append(score, fmt.Sprintf("%.6f * r.r%d", tm.idf, i))
			matched = append(matched, fmt.Sprintf("CASE WHEN r.r%d > 0 THEN %.6f ELSE 0 END", i, tm.idf))
			idfTotal += tm.idf
		}
		lex = fmt.Sprintf(`
	SELECT c.id, (%s) * %.4f / (1 + %.4f * (1 - %.4f + %.4f * c.words / %.4f)) AS score, (%s) / %.6f AS coverage
	FROM (%s) c
	CROSS JOIN LATERAL (SELECT %s) r
	ORDER BY score DESC, c.id LIMIT %s`,
			strings.Join(score, " + "), bm25K1+1, bm25K1, bm25B, bm25B, t.avgdl,
			strings.Join(matched, " + "), math.Max(idfTotal, 1e-9),
			from, strings.Join(ranks, ", "), k)
	}
	vecBranch := "SELECT NULL::bigint AS id, 0::float8 AS sim WHERE false"
	sim := "vec.sim"
	if vec != nil {
		v := param(pgvector.NewVector(vec))
		vecBranch = fmt.Sprintf(`
	SELECT id, 1 - dist AS sim
	FROM (SELECT id, embedding <=> %[1]s AS dist FROM chunks c
	      WHERE c.embedding IS NOT NULL AND %[3]s
	      ORDER BY c.embedding <=> %[1]s LIMIT %[2]s) c`, v, k, access)
		// Passages only the lexical branch found get their similarity computed.
		sim = fmt.Sprintf("coalesce(vec.sim, 1 - (c.embedding <=> %s))", v)
	}
	// The candidates of both branches, each with both scores where known; Go fuses them
	// (fuse), since how far to trust each branch depends on the whole candidate list.
	sql := fmt.Sprintf(`
WITH vec AS (%s),
lex AS (%s)
SELECT c.id, c.document_id, lex.score, %s, coalesce(lex.coverage, 0), vec.id IS NOT NULL
FROM vec FULL OUTER JOIN lex ON vec.id = lex.id
JOIN chunks c ON c.id = coalesce(vec.id, lex.id)`, vecBranch, lex, sim)
	return sql, args
}
