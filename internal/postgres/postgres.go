// Package postgres opens Docent's database: it applies the migrations, then returns a pool whose
// connections know pgvector's types. It also owns the record of the embedding model the index
// was built with, because that record decides the type of the embedding column.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/docent-search/docent/migrations"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Open migrates the database at url and returns a pool ready for Docent's queries.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, errors.New("no database configured: set DATABASE_URL (or use `make run`, which starts a local one)")
	}
	cfg, err := poolConfig(url, "DATABASE_URL")
	if err != nil {
		return nil, err
	}
	// The vector type exists only after the first migration, so migrate through a pool that
	// does not register it, then open the real one.
	bare, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", Redact(url), err)
	}
	if err := bare.Ping(ctx); err != nil {
		bare.Close()
		return nil, fmt.Errorf("connecting to %s: %w", Redact(url), explain(err))
	}
	_, err = migrations.Apply(ctx, bare)
	bare.Close()
	if err != nil {
		return nil, explain(err)
	}
	return connect(ctx, cfg, url)
}

// OpenReplica returns a pool on a read-only streaming replica of the database: no migrations
// (a replica cannot apply them; it receives them from the primary).
func OpenReplica(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(url, "DATABASE_READ_URLS")
	if err != nil {
		return nil, err
	}
	pool, err := connect(ctx, cfg, url)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the read replica %s: %w", Redact(url), err)
	}
	return pool, nil
}

func poolConfig(url, setting string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", setting, err)
	}
	// pgx defaults to four connections on a small machine; a server holds one per running
	// re-index job besides the indexer's writers and its readers. pool_max_conns in the URL
	// still decides.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 20
	}
	return cfg, nil
}

func connect(ctx context.Context, cfg *pgxpool.Config, url string) (*pgxpool.Pool, error) {
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// regconfig is an OID on the wire; knowing that lets COPY write a chunk's
		// text-search configuration in binary.
		c.TypeMap().RegisterType(&pgtype.Type{Name: "regconfig", OID: regconfigOID, Codec: pgtype.Uint32Codec{}})
		return pgxvec.RegisterTypes(ctx, c)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", Redact(url), err)
	}
	return pool, nil
}

const regconfigOID = 3734

// DefaultTextSearchConfig is the text-search configuration used when none is set
// (DOCENT_TS_CONFIG): English stemming and stop words.
const DefaultTextSearchConfig = "english"

// TextSearchConfig resolves a text-search configuration name to the OID stored with chunks,
// failing with the setting's name when PostgreSQL has no such configuration.
func TextSearchConfig(ctx context.Context, pool *pgxpool.Pool, name string) (uint32, error) {
	var oid uint32
	if err := pool.QueryRow(ctx, `SELECT $1::regconfig::oid`, name).Scan(&oid); err != nil {
		return 0, fmt.Errorf("DOCENT_TS_CONFIG %q is not a text-search configuration of this PostgreSQL (see \\dF in psql): %w", name, err)
	}
	return oid, nil
}

// explain adds the fix to errors a new user is likely to meet.
func explain(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "0A000" && strings.Contains(pg.Message, "vector") ||
		strings.Contains(err.Error(), `extension "vector" is not available`) {
		return fmt.Errorf("%w\npgvector is not installed on this PostgreSQL server: run scripts/ensure-postgres.sh as root, or see README (Installing pgvector)", err)
	}
	return err
}

// Redact returns url without its password, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparseable database URL)"
		}
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Unavailable reports whether err means the database could not be reached or is restarting,
// rather than that a query failed: the caller may try elsewhere or answer "try again".
func Unavailable(err error) bool {
	var connect *pgconn.ConnectError
	var pg *pgconn.PgError
	var netErr net.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &connect), errors.As(err, &netErr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &pg):
		// Class 08: connection exceptions; 57P01-57P03: the server is shutting down or starting.
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}

// StorableText reports whether PostgreSQL can store v as text: a text value holds no NUL
// character, and a UTF8 database (Docent's) only valid UTF-8. Input is checked with it where
// it arrives, so that its error names the field instead of repeating PostgreSQL's.
func StorableText(v string) bool { return utf8.ValidString(v) && !strings.ContainsRune(v, 0) }
