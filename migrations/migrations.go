// Package migrations owns Docent's database schema: numbered SQL files embedded in the binaries
// and applied at start-up with goose.
//
// Both binaries call Apply. Several processes may start at once against one database, so goose
// holds a PostgreSQL advisory lock for the duration and the second process finds nothing to do.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// Apply brings the database behind pool up to the newest migration and returns the version
// it ended at. River's job-queue tables are migrated with Docent's.
func Apply(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	v, err := apply(ctx, db)
	if err != nil {
		return 0, err
	}
	return v, applyRiver(ctx, pool)
}

// riverLock serialises River's migrations across processes starting at once.
const riverLock = 0x72697665 // "rive"

func applyRiver(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrating the job queue: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, riverLock); err != nil {
		return fmt.Errorf("locking the job-queue migration: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, riverLock)
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("migrating the job queue: %w", err)
	}
	// On the connection that holds the lock: a pool of one connection (pool_max_conns=1) has
	// no second one to give, and Migrate would wait for it for ever. One version a
	// transaction, as Migrate does: a version may use an enum value the one before added.
	for {
		var applied int
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// Deprecated for batching versions in one transaction, which MaxSteps 1 does not.
			//lint:ignore SA1019 Migrate takes a second connection from the pool (see above)
			res, err := m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{MaxSteps: 1})
			if res != nil {
				applied = len(res.Versions)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("migrating the job queue: %w", err)
		}
		if applied == 0 {
			return nil
		}
	}
}

func apply(ctx context.Context, db *sql.DB) (int64, error) {
	// Poll for the lock every second for up to five minutes: long enough for a slow migration
	// in another process, short enough that a stuck one is reported.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return 0, fmt.Errorf("creating migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return 0, fmt.Errorf("loading migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("applying migrations: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading schema version: %w", err)
	}
	return v, nil
}

// Current reports whether the database has every migration this binary knows, for readiness
// checks: a server of a newer build must not serve an older schema.
func Current(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return false, fmt.Errorf("loading migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("reading schema version: %w", err)
	}
	return !pending, nil
}

// Files returns the embedded migration files, for tools that key caches on their content.
func Files() embed.FS { return files }
