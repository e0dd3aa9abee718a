package migrations_test

import (
	"context"
	"sync"
	"testing"

	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
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
