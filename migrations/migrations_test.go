package migrations_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/migrations"
)

func TestApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("EmptyDatabase", func(t *testing.T) {
		t.Parallel()
		pool := openPool(t, pgtest.EmptyDatabase(t))
		v, err := migrations.Apply(ctx, pool)
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if v < 1 {
			t.Fatalf("schema version after Apply = %d, want >= 1", v)
		}
		for _, table := range []string{"sources", "documents", "chunks", "postings", "index_model", "river_job"} {
			var ok bool
			if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
				t.Errorf("table %s missing after migration (err %v)", table, err)
			}
		}
		var impact bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass('postings_impact') IS NOT NULL`).Scan(&impact); err != nil || !impact {
			t.Errorf("impact-ordered index on postings missing (err %v)", err)
		}
		again, err := migrations.Apply(ctx, pool)
		if err != nil || again != v {
			t.Fatalf("second Apply = %d, %v; want %d, nil", again, err, v)
		}
	})

	t.Run("OneConnection", func(t *testing.T) {
		t.Parallel()
		// A pool of one connection (pool_max_conns=1 in DATABASE_URL) migrates too: the
		// job queue's migration must not wait for a second connection while the first holds
		// its lock. The deadline only stops a hang from stopping the test run.
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		cfg, err := pgxpool.ParseConfig(pgtest.EmptyDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		cfg.MaxConns = 1
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		if _, err := migrations.Apply(ctx, pool); err != nil {
			t.Fatalf("Apply over one connection: %v", err)
		}
	})

	t.Run("ParallelProcesses", func(t *testing.T) {
		t.Parallel()
		url := pgtest.EmptyDatabase(t)
		// Separate pools stand in for separate processes starting at once.
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		versions := make([]int64, n)
		for i := range n {
			pool := openPool(t, url)
			wg.Go(func() { versions[i], errs[i] = migrations.Apply(ctx, pool) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Errorf("process %d: %v", i, errs[i])
			}
			if versions[i] != versions[0] || versions[i] < 1 {
				t.Errorf("process %d ended at version %d, process 0 at %d", i, versions[i], versions[0])
			}
		}
	})
}

// migratedTo returns a pool on a new empty database migrated up to version, and the provider
// that moves it further up or down.
func migratedTo(t *testing.T, version int64) (*pgxpool.Pool, *goose.Provider) {
	t.Helper()
	pool := openPool(t, pgtest.EmptyDatabase(t))
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Files())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return pool, p
}

// queryStrings returns the single text column of query's rows.
func queryStrings(t *testing.T, pool *pgxpool.Pool, query string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestGapCuratedMigration: migration 00023 links free-text curated resolutions that name an
// existing answer (by id, or by its question when only one has it) and keeps any other text as
// written; going down puts the ids back as text.
func TestGapCuratedMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 22)
	var taxi, dup int64
	if err := pool.QueryRow(ctx, `INSERT INTO curated_answers (question, normalised, answer, owner, review_by)
		VALUES ('Is a taxi home reimbursed?', 'is a taxi home reimbursed', 'Yes.', 'travel', '2099-01-01') RETURNING id`).Scan(&taxi); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `INSERT INTO curated_answers (question, normalised, answer, owner, review_by)
		VALUES ('Parking?', 'parking', 'No.', 'hr', '2099-01-01'), ('parking?', 'parking', 'No.', 'hr', '2099-01-01') RETURNING id`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	texts := []string{strconv.FormatInt(taxi, 10), " #" + strconv.FormatInt(taxi, 10), "is a taxi home reimbursed? ", "Parking?", "the Peru answer", "999999"}
	for _, text := range texts {
		if _, err := pool.Exec(ctx, `INSERT INTO insight_gaps (status, resolution, resolved_curated) VALUES ('resolved', 'curated', $1)`, text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 23); err != nil {
		t.Fatal(err)
	}
	type row struct {
		id    int64
		label string
	}
	read := func(column string) []row {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT coalesce(`+column+`, 0), resolved_curated FROM insight_gaps ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.label); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	q := "Is a taxi home reimbursed?"
	want := []row{{taxi, q}, {taxi, q}, {taxi, q}, {0, "Parking?"}, {0, "the Peru answer"}, {0, "999999"}}
	if got := read("resolved_curated_id"); !slices.Equal(got, want) {
		t.Errorf("after 00023: %v, want %v", got, want)
	}
	if _, err := p.DownTo(ctx, 22); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(taxi, 10)
	want = []row{{0, id}, {0, id}, {0, id}, {0, "Parking?"}, {0, "the Peru answer"}, {0, "999999"}}
	if got := read("NULL::bigint"); !slices.Equal(got, want) {
		t.Errorf("after 00023 down: %v, want %v", got, want)
	}
}

// TestPostingsBytesMigration: migration 00028 rewrites each packed block's arrays as bytes,
// 16 a posting (chunk id, weighted term frequency, length, big-endian), in the arrays' order;
// going down empties the blocks, so that searches read the postings table until the next
// statistics refresh builds them again.
func TestPostingsBytesMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 26)
	for _, q := range []string{
		`INSERT INTO postings_blocks (lexeme, last_id, chunk_ids, tfs, dls) VALUES
		   ('rebas', 9000000000, '{3,17,9000000000}', '{1,2,70000}', '{12,300,5}'), ('merg', 4, '{4}', '{1}', '{8}')`,
		`INSERT INTO corpus_stats (chunks, avg_length, blocks_upto) VALUES (3, 100, 9000000000)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.UpTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := pool.Query(ctx, `SELECT lexeme || ' ' || encode(postings, 'hex') FROM postings_blocks ORDER BY lexeme`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{
		"merg 0000000000000004" + "00000001" + "00000008",
		"rebas 0000000000000003" + "00000001" + "0000000c" + "0000000000000011" + "00000002" + "0000012c" + "0000000218711a00" + "00011170" + "00000005",
	}
	if !slices.Equal(got, want) {
		t.Errorf("after 00028: %q, want %q", got, want)
	}
	if _, err := p.DownTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
	var blocks, upto int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM postings_blocks), blocks_upto FROM corpus_stats`).Scan(&blocks, &upto); err != nil || blocks != 0 || upto != 0 {
		t.Errorf("after 00028 down: %d blocks, blocks_upto %d (%v), want none and 0", blocks, upto, err)
	}
}

// TestPostingsBytesMigrationStoresBlocksInline: after 00028 up on a populated table, the converted
// blocks' postings should be stored as a refresh stores them (uncompressed, inline), since the
// search reads them every time.
func TestPostingsBytesMigrationStoresBlocksInline(t *testing.T) {
	ctx := context.Background()
	pool, p := migratedTo(t, 26)
	if _, err := pool.Exec(ctx, `INSERT INTO postings_blocks (lexeme, last_id, chunk_ids, tfs, dls)
		SELECT 'l' || b, b * 1000 + 255, array_agg(b * 1000 + i ORDER BY i), array_agg(1 + i % 3 ORDER BY i), array_agg(100 + i % 7 ORDER BY i)
		FROM generate_series(1, 50) b, generate_series(0, 255) i GROUP BY b`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	var compressed, size, ext int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_column_compression(postings) IS NOT NULL), max(pg_column_size(postings)),
		(SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'postings_blocks') FROM postings_blocks`).Scan(&compressed, &size, &ext); err != nil {
		t.Fatal(err)
	}
	t.Logf("compressed %d of 50, largest stored %d bytes (raw 4096), toast relation %d bytes", compressed, size, ext)
	if compressed > 0 || ext > 0 {
		t.Errorf("%d of 50 converted blocks are stored compressed, %d bytes out of line", compressed, ext)
	}
}

// TestStopFormsMigration: migration 00029 gives an English chunk indexed before it the forms of
// the stop words it writes in capitals, at their positions and outside its length, and leaves
// the others as they were; going down takes the forms away.
func TestStopFormsMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 28)
	var doc int64
	if err := pool.QueryRow(ctx, `WITH s AS (INSERT INTO sources (name, root) VALUES ('docs', '/docs') RETURNING id)
		INSERT INTO documents (source_id, path, status) SELECT id, 'sql.md', 'indexed' FROM s RETURNING id`).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"Rows pass the WHERE clause before grouping.", "Where the rows come from is not recorded."} {
		if _, err := pool.Exec(ctx, `INSERT INTO chunks (document_id, ordinal, start_offset, end_offset, text, text_hash) VALUES ($1, $2, 0, 40, $3, '\x00')`, doc, i, text); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []string {
		t.Helper()
		return queryStrings(t, pool, `SELECT c.ordinal || ' ' || p.lexeme || ' ' || p.tf || ' ' || p.dl FROM postings p JOIN chunks c ON c.id = p.chunk_id
			WHERE starts_with(p.lexeme, '=') OR p.lexeme = 'claus' ORDER BY 1`)
	}
	before := []string{"0 claus 1 4"}
	if got := read(); !slices.Equal(got, before) {
		t.Fatalf("before 00029: %q, want %q", got, before)
	}
	if _, err := p.UpTo(ctx, 29); err != nil {
		t.Fatal(err)
	}
	// "WHERE" in capitals gives chunk 0 `=where` (its length still its 4 stems); chunk 1 writes
	// its stop words in lower case and holds none.
	if got, want := read(), []string{"0 =where 1 4", "0 claus 1 4"}; !slices.Equal(got, want) {
		t.Errorf("after 00029: %q, want %q", got, want)
	}
	if _, err := p.DownTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	if got := read(); !slices.Equal(got, before) {
		t.Errorf("after 00029 down: %q, want %q", got, before)
	}
}

// TestAccentFoldingMigration: 00030 indexes the accented lexemes already in term_stats by their
// folded form, and its down step leaves the statistics as they were, ready to go up again.
func TestAccentFoldingMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 29)
	if _, err := pool.Exec(ctx, `INSERT INTO term_stats (lexeme, df) VALUES ('=répertoire', 2), ('=repertoire', 1), ('répertoir', 2)`); err != nil {
		t.Fatal(err)
	}
	folded := func() []string {
		t.Helper()
		return queryStrings(t, pool, `SELECT lexeme FROM term_stats WHERE fold_accents(lexeme) = '=repertoire' AND fold_accents(lexeme) <> lexeme`)
	}
	for range 2 {
		if _, err := p.UpTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		if got := folded(); !slices.Equal(got, []string{"=répertoire"}) {
			t.Errorf("after 00030: accented forms of =repertoire %q, want [=répertoire]", got)
		}
		if _, err := p.DownTo(ctx, 29); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM term_stats`).Scan(&n); err != nil || n != 3 {
			t.Errorf("after 00030 down: %d term statistics (%v), want the 3", n, err)
		}
	}
}

// TestChunksByDocumentMigration: 00031 indexes the chunks by document with their ids, so that
// the document score's listing of each candidate document's chunks (retrieve.documentBM25, a
// subquery a document) reads the index alone; before it, the unique (document_id, ordinal)
// index found the chunks and each one's heap row was read for its id. Going down drops it.
func TestChunksByDocumentMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 30)
	// 2,000 documents of 8 chunks, as cmd/bench writes them, vacuumed as a load leaves them:
	// enough pages that the planner probes an index rather than reading the table a document.
	for _, q := range []string{
		`WITH s AS (INSERT INTO sources (name, root) VALUES ('docs', '/docs') RETURNING id)
		 INSERT INTO documents (source_id, path, status) SELECT s.id, 'd' || i || '.md', 'indexed' FROM s, generate_series(1, 2000) i`,
		`INSERT INTO chunks (document_id, ordinal, start_offset, end_offset, text, text_hash)
		 SELECT d.id, o, 0, 10, 'passage ' || d.id || ' ' || o, '\x00' FROM documents d, generate_series(0, 7) o`,
		`VACUUM ANALYZE chunks`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// How a statement of documentBM25's shape reads chunks: each scan of the table or of one
	// of its indexes, with the index's name.
	plan := func() []string {
		t.Helper()
		var doc []map[string]any
		if err := pool.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT d.i, ARRAY(SELECT c.id FROM chunks c WHERE c.document_id = d.id)
			FROM unnest((SELECT array_agg(id) FROM documents WHERE id % 16 = 0)) WITH ORDINALITY AS d(id, i)`).Scan(&doc); err != nil {
			t.Fatal(err)
		}
		var scans []string
		var walk func(n map[string]any)
		walk = func(n map[string]any) {
			if index, _ := n["Index Name"].(string); n["Relation Name"] == "chunks" || strings.HasPrefix(index, "chunks_") {
				scans = append(scans, strings.TrimSpace(fmt.Sprint(n["Node Type"], " ", index)))
			}
			children, _ := n["Plans"].([]any)
			for _, c := range children {
				walk(c.(map[string]any))
			}
		}
		walk(doc[0]["Plan"].(map[string]any))
		return scans
	}
	before := plan()
	if _, err := p.UpTo(ctx, 31); err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('chunks_document_id_id') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		t.Errorf("after 00031: index chunks_document_id_id missing (err %v)", err)
	}
	want := []string{"Index Only Scan chunks_document_id_id"}
	if got := plan(); !slices.Equal(got, want) {
		t.Errorf("after 00031: document score's chunk listing reads chunks by %q, want %q (before: %q)", got, want, before)
	}
	if _, err := p.DownTo(ctx, 30); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT to_regclass('chunks_document_id_id') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("after 00031 down: index chunks_document_id_id still there (err %v)", err)
	}
	if got := plan(); !slices.Equal(got, before) {
		t.Errorf("after 00031 down: chunk listing reads chunks by %q, want %q as before", got, before)
	}
}

// TestChunkRowsStayWhole: after 00032 a chunk row with a 1,124-dimension vector is stored as
// written, nothing compressed and nothing in TOAST (before, its vector and text were
// compressed and every value over 24 bytes moved out of line); going down restores the
// default target.
func TestChunkRowsStayWhole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, p := migratedTo(t, 31)
	var doc int64
	if err := pool.QueryRow(ctx, `WITH s AS (INSERT INTO sources (name, root) VALUES ('docs', '/docs') RETURNING id)
		INSERT INTO documents (source_id, path, status) SELECT id, 'a.md', 'indexed' FROM s RETURNING id`).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	// Text that compresses, and a vector with repeated values, as the built-in model's are.
	insert := func(ordinal int) {
		t.Helper()
		if _, err := pool.Exec(ctx, `INSERT INTO chunks (document_id, ordinal, start_offset, end_offset, text, text_hash, embedding)
			VALUES ($1, $2, 0, 1000, repeat('Travel expenses are booked by the team manager. ', 25), sha256('x'),
				(SELECT array_agg((i % 7) / 10.0)::vector FROM generate_series(1, 1124) i))`, doc, ordinal); err != nil {
			t.Fatal(err)
		}
	}
	stored := func(ordinal int) (compressed, external int64) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT (pg_column_compression(embedding) IS NOT NULL)::int + (pg_column_compression(text) IS NOT NULL)::int,
			(SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'chunks')
			FROM chunks WHERE ordinal = $1`, ordinal).Scan(&compressed, &external); err != nil {
			t.Fatal(err)
		}
		return compressed, external
	}
	insert(0)
	if c, e := stored(0); c == 0 || e == 0 {
		t.Fatalf("before 00032: %d values compressed, %d bytes of TOAST; the test no longer shows what 00032 changes", c, e)
	}
	if _, err := p.UpTo(ctx, 32); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `TRUNCATE chunks, postings, chunks_unpacked`); err != nil {
		t.Fatal(err)
	}
	insert(1)
	if c, e := stored(1); c != 0 || e != 0 {
		t.Errorf("after 00032: %d values compressed, %d bytes of TOAST, want the row stored whole", c, e)
	}
	if _, err := p.DownTo(ctx, 31); err != nil {
		t.Fatal(err)
	}
	var options []string
	if err := pool.QueryRow(ctx, `SELECT coalesce(reloptions, '{}') FROM pg_class WHERE relname = 'chunks'`).Scan(&options); err != nil || len(options) != 0 {
		t.Errorf("after 00032 down: chunks has options %q (%v), want none", options, err)
	}
}

// TestStopFormsGuard: 00033 runs stop_forms only on fields with a word in capitals, and every
// field's tsvector is what it was (stop_forms called on each).
func TestStopFormsGuard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := migratedTo(t, 33)
	for _, body := range []string{
		"Rows pass the WHERE clause before grouping.",
		"Where the rows come from is not recorded.",
		"A value IS NOT NULL when set; use UNION ALL and ON CONFLICT DO NOTHING.",
		"The API and the URL of the service", // capitals, no stop word
		"NASA's O'Reilly ÉTÉ À LA PLAGE and A B C",
		"",
	} {
		var got, want string
		if err := pool.QueryRow(ctx, `SELECT field_tsv('english', $1)::text,
			(to_tsvector('english', $1) || stop_forms(to_tsvector('english', $1), to_tsvector('simple', $1), $1))::text`, body).Scan(&got, &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("field_tsv(english, %q) = %s, want %s", body, got, want)
		}
	}
}
