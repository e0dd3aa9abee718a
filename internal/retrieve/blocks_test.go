package retrieve_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/retrieve/bm25ref"
	"github.com/docent-search/docent/internal/source"
)

// TestLexicalReadsStaleBlocksExactly checks the lexical branch against the reference BM25 when
// the packed postings (postings_blocks) lag the postings table, as between statistics
// refreshes: the blocks hold chunks since deleted (half the documents replaced) and a chunk
// changed in place since (its term frequencies swapped, so its packed postings are wrong), and
// lack the chunks written since. The term statistics are current, so the reference applies.
func TestLexicalReadsStaleBlocksExactly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPackedFixture(t, 11, 300)
	pool, s, src, z, exec := f.pool, f.searcher, f.src, f.z, f.exec(t)
	exec(`CREATE TABLE old_blocks AS SELECT * FROM postings_blocks`)
	var upto int64
	if err := pool.QueryRow(ctx, `SELECT blocks_upto FROM corpus_stats`).Scan(&upto); err != nil || upto == 0 {
		t.Fatalf("blocks cover chunks up to %d (%v): the load built no blocks", upto, err)
	}
	z.load(t, ctx, s, src, 150, 1)
	// A chunk the old blocks hold, with two of its lexemes' occurrences swapped: the same
	// document frequencies and length, so the statistics stay current.
	var changed int64
	var tsv string
	err := pool.QueryRow(ctx, `
		WITH c AS (SELECT c.id, c.tsv FROM chunks c WHERE c.id <= $1 ORDER BY c.id LIMIT 1),
		u AS (SELECT c.id, u.lexeme, u.positions, u.weights, row_number() OVER (ORDER BY cardinality(u.positions) DESC, u.lexeme) AS r,
		             count(*) OVER () AS n FROM c, unnest(c.tsv) u)
		SELECT a.id, string_agg(format('%L:%s', a.lexeme, (
		         SELECT string_agg(p::text || CASE w WHEN 'D' THEN '' ELSE w END, ',')
		         FROM unnest(b.positions, b.weights) AS x(p, w))), ' ')
		FROM u a JOIN u b ON b.r = CASE a.r WHEN 1 THEN a.n WHEN a.n THEN 1 ELSE a.r END
		GROUP BY a.id`, upto).Scan(&changed, &tsv)
	if err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE chunks SET tsv = $2::tsvector WHERE id = $1`, changed, tsv)
	// The old blocks back, as if nothing had been refreshed since.
	exec(`DELETE FROM postings_blocks`)
	exec(`INSERT INTO postings_blocks SELECT * FROM old_blocks`)
	exec(`UPDATE corpus_stats SET blocks_upto = $1`, upto)
	var unpacked []int64
	if err := pool.QueryRow(ctx, `SELECT array_agg(chunk_id) FROM chunks_unpacked`).Scan(&unpacked); err != nil || !slices.Equal(unpacked, []int64{changed}) {
		t.Fatalf("unpacked chunks %v (%v), want the one changed in place, %d", unpacked, err, changed)
	}

	ref, err := bm25ref.Load(ctx, pool, "")
	if err != nil {
		t.Fatal(err)
	}
	for qname, text := range map[string]string{
		"300 words":    z.words(300),
		"common words": strings.Join(z.vocab[:6], " "),
		"40 words":     z.words(40),
	} {
		lexemes, err := bm25ref.Lexemes(ctx, pool, "english", text)
		if err != nil {
			t.Fatal(err)
		}
		const k = 40
		got, err := s.Search(ctx, retrieve.Query{Text: text, Mode: "lexical", Limit: k, PerDocument: k, NoSnippets: true})
		if err != nil {
			t.Fatal(err)
		}
		all := ref.TopK(lexemes, params, len(ref.Chunks), func(bm25ref.Chunk) bool { return true })
		if msg := compareTopK(got, all[:min(k, len(all))], all); msg != "" {
			t.Errorf("%s: %s", qname, msg)
		}
	}
}

// TestRefreshKeepsOpenChangesUnpacked checks that a chunk changed in place by a transaction
// still open while the statistics are refreshed is read from the postings table afterwards:
// the refresh packs the chunk as its snapshot sees it (the old postings), so the chunk must
// stay in chunks_unpacked once the change commits. A chunk already listed (changed since the
// last refresh) used to be forgotten: the change's insert into chunks_unpacked found the row
// there and did nothing, the refresh deleted that row, and the search scored the chunk by its
// old words until the next refresh.
func TestRefreshKeepsOpenChangesUnpacked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPackedFixture(t, 5, 60)
	pool, s, z := f.pool, f.searcher, f.z
	var changed int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM chunks`).Scan(&changed); err != nil {
		t.Fatal(err)
	}
	retext := func(tx interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}, text string) {
		t.Helper()
		if _, err := tx.Exec(ctx, `UPDATE chunks SET text = $2 WHERE id = $1`, changed, text); err != nil {
			t.Fatal(err)
		}
	}
	// Changed once since the refresh: listed.
	retext(pool, z.words(30))
	// Changed again by a transaction open across a refresh.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	text := z.vocab[1500] + " " + z.vocab[1501] + " " + z.words(30)
	retext(tx, text)
	if err := source.RefreshStats(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	// Every chunk the blocks cover and chunks_unpacked does not list is packed as it is now.
	var stale []int64
	err = pool.QueryRow(ctx, `
		WITH packed AS (
			SELECT b.lexeme, x.id, x.tf, x.dl FROM postings_blocks b, LATERAL (
				SELECT ('x' || encode(substring(b.postings FROM 16 * k + 1 FOR 8), 'hex'))::bit(64)::bigint AS id,
				       ('x' || encode(substring(b.postings FROM 16 * k + 9 FOR 4), 'hex'))::bit(32)::int AS tf,
				       ('x' || encode(substring(b.postings FROM 16 * k + 13 FOR 4), 'hex'))::bit(32)::int AS dl
				FROM generate_series(0, length(b.postings) / 16 - 1) AS k) x
			WHERE NOT EXISTS (SELECT 1 FROM chunks_unpacked u WHERE u.chunk_id = x.id)),
		now AS (
			SELECT p.lexeme, p.chunk_id AS id, p.tf + p.tf_heading AS tf, p.dl FROM postings p, corpus_stats st
			WHERE p.chunk_id <= st.blocks_upto AND NOT EXISTS (SELECT 1 FROM chunks_unpacked u WHERE u.chunk_id = p.chunk_id))
		SELECT coalesce(array_agg(DISTINCT coalesce(packed.id, now.id)), '{}')
		FROM packed FULL JOIN now USING (lexeme, id, tf, dl)
		WHERE (packed.id IS NULL OR now.id IS NULL) AND EXISTS (SELECT 1 FROM chunks c WHERE c.id = coalesce(packed.id, now.id))`).Scan(&stale)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("chunks %v are packed as they were, and not listed as unpacked (changed: %d)", stale, changed)
	}
	got, err := s.Search(ctx, retrieve.Query{Text: z.vocab[1500] + " " + z.vocab[1501], Mode: "lexical", Limit: 10, PerDocument: 10, NoSnippets: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got, func(r retrieve.Result) bool { return r.ChunkID == changed }) {
		t.Errorf("searching for the changed chunk's new words did not find it: %v", got)
	}
}

// packedFixture is a database holding docs documents of a Zipf corpus, indexed and with its
// statistics (and so its packed postings) refreshed, for the tests of packed postings.
type packedFixture struct {
	pool     *pgxpool.Pool
	searcher *retrieve.Searcher
	src      source.Source
	z        *zipfCorpus
}

func newPackedFixture(t *testing.T, seed uint64, docs int) packedFixture {
	t.Helper()
	pool := pgtest.NewPool(t)
	src, err := source.Add(context.Background(), pool, source.Source{Name: "docs", Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	f := packedFixture{pool: pool, searcher: &retrieve.Searcher{Pool: pool, Embedder: embedder.Local{}}, src: src, z: newZipfCorpus(seed)}
	f.z.load(t, context.Background(), f.searcher, src, docs, 0)
	return f
}

// exec runs a statement, failing the test on an error.
func (f packedFixture) exec(t *testing.T) func(sql string, args ...any) {
	return func(sql string, args ...any) {
		t.Helper()
		if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
