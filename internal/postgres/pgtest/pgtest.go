// Package pgtest gives each test its own real PostgreSQL database, cloned from a migrated
// template so that tests run in parallel without sharing rows or paying for migrations each time.
//
// The server comes from TEST_DATABASE_URL (or DATABASE_URL); `make test` starts a project-local
// cluster and sets it. The role needs CREATEDB.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ServerURL returns the URL of the test server's maintenance database, failing the test with
// instructions when none is configured: a database test never passes by not running.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		u = os.Getenv("DATABASE_URL")
	}
	if u == "" {
		tb.Fatal("TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a local PostgreSQL with pgvector")
	}
	return u
}

// EmptyDatabase creates a fresh, unmigrated database and returns its URL. It is dropped when
// the test ends.
func EmptyDatabase(tb testing.TB) string {
	tb.Helper()
	return createDatabase(tb, "")
}

// NewDatabase creates a migrated database for this test alone and returns its URL.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return createDatabase(tb, template(tb))
}

// NewPool opens a pool on a database of this test's own, migrated and with pgvector registered.
func NewPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	ctx := context.Background()
	pool, err := postgres.Open(ctx, NewDatabase(tb))
	if err != nil {
		tb.Fatalf("opening test database: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

func createDatabase(tb testing.TB, tmpl string) string {
	tb.Helper()
	ctx := context.Background()
	admin := connect(tb, ServerURL(tb))
	defer admin.Close(ctx)
	name := "docent_test_" + randomHex(6)
	q := "CREATE DATABASE " + name
	if tmpl != "" {
		q += " TEMPLATE " + tmpl
	}
	// Cloning fails while another session is briefly connected to the template; retry.
	var err error
	for range 50 {
		if _, err = admin.Exec(ctx, q); !isCode(err, "55006") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("creating test database: %v", err)
	}
	tb.Cleanup(func() {
		c := connect(tb, ServerURL(tb))
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(tb, ServerURL(tb), name)
}

// template returns the name of a migrated template database, creating it on first use. Its
// name carries a hash of the migrations, so a changed migration gets a new template.
func template(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	name := "docent_tmpl_" + migrationsHash(tb)
	admin := connect(tb, ServerURL(tb))
	defer admin.Close(ctx)
	// Test binaries of several packages run at once: one builds the template, the rest wait.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(1952539503)`); err != nil {
		tb.Fatalf("locking template creation: %v", err)
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(1952539503)`)
	var ready bool
	err := admin.QueryRow(ctx, `SELECT datistemplate FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if err == nil && ready {
		return name
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		tb.Fatalf("looking for template database: %v", err)
	}
	// Absent, or left half-made by a killed run: build it again.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		tb.Fatalf("dropping stale template: %v", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("creating template database: %v", err)
	}
	pool, err := postgres.Open(ctx, withDatabase(tb, ServerURL(tb), name))
	if err != nil {
		tb.Fatalf("migrating template database: %v", err)
	}
	pool.Close()
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" IS_TEMPLATE true"); err != nil {
		tb.Fatalf("marking template database: %v", err)
	}
	return name
}

func migrationsHash(tb testing.TB) string {
	h := sha256.New()
	err := fs.WalkDir(migrations.Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Files(), path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		tb.Fatalf("hashing migrations: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func connect(tb testing.TB, u string) *pgx.Conn {
	tb.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		tb.Fatalf("connecting to test server %s: %v", postgres.Redact(u), err)
	}
	return c
}

func withDatabase(tb testing.TB, raw, name string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		tb.Fatalf("TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String()
}

func isCode(err error, code string) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == code
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
