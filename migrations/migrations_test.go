package migrations_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

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
	pool := openPool(t, pgtest.EmptyDatabase(t))
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Files())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 22); err != nil {
		t.Fatal(err)
	}
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
	pool := openPool(t, pgtest.EmptyDatabase(t))
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Files())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 26); err != nil {
		t.Fatal(err)
	}
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
