package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docent-search/docent/internal/postgres"
)

// KeyPrefix starts every API key, so that secret scanners (and people) recognise a leaked one.
const KeyPrefix = "docent_"

// Scopes of a key: read searches and asks; admin also reaches the admin API.
const (
	ScopeRead  = "read"
	ScopeAdmin = "admin"
)

// Key is a stored API key, never its secret.
type Key struct {
	ID       int64      `json:"id"`
	User     string     `json:"user"`
	Name     string     `json:"name"`
	Prefix   string     `json:"prefix"`
	Groups   []string   `json:"groups"`
	Scope    string     `json:"scope"`
	Created  time.Time  `json:"created_at"`
	Expires  time.Time  `json:"expires_at"`
	LastUsed *time.Time `json:"last_used_at"`
	Revoked  *time.Time `json:"revoked_at,omitempty"`
}

// NewKey is what a key is created with.
type NewKey struct {
	User, Name string
	Groups     []string
	Scope      string
	// TTL is how long the key lives.
	TTL time.Duration
	// AdminGroup is the group an admin-scoped key's owner must be in.
	AdminGroup string
}

// CreateKey stores a new key and returns its secret, which is never available again.
func CreateKey(ctx context.Context, pool *pgxpool.Pool, k NewKey) (string, Key, error) {
	k.Name = strings.TrimSpace(k.Name)
	switch {
	case strings.TrimSpace(k.User) == "":
		return "", Key{}, errors.New("user: must not be empty")
	case k.Name == "" || len(k.Name) > 100:
		return "", Key{}, errors.New("name: want 1 to 100 characters")
	case !postgres.StorableText(k.Name):
		// Else PostgreSQL's own message ("invalid byte sequence…") reached the keys page.
		return "", Key{}, errors.New("name: must be UTF-8 text without NUL characters")
	case k.Scope != ScopeRead && k.Scope != ScopeAdmin:
		return "", Key{}, fmt.Errorf("scope: want %s or %s, not %q", ScopeRead, ScopeAdmin, k.Scope)
	case k.Scope == ScopeAdmin && !slices.Contains(k.Groups, k.AdminGroup):
		return "", Key{}, fmt.Errorf("scope: admin keys are for members of the admin group %s", k.AdminGroup)
	case k.TTL <= 0:
		return "", Key{}, errors.New("expires: want a positive lifetime such as 90d")
	}
	token := KeyPrefix + secret(32)
	key := Key{User: k.User, Name: k.Name, Prefix: token[:len(KeyPrefix)+6], Groups: nonNil(k.Groups), Scope: k.Scope}
	err := pool.QueryRow(ctx, `INSERT INTO api_keys (user_name, name, hash, prefix, groups, scope, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at, expires_at`,
		key.User, key.Name, hash(token), key.Prefix, key.Groups, key.Scope, time.Now().Add(k.TTL)).Scan(&key.ID, &key.Created, &key.Expires)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return "", Key{}, fmt.Errorf("name: %s already has a key named %q; revoke it first or pick another name", key.User, key.Name)
	}
	if err != nil {
		return "", Key{}, err
	}
	return token, key, nil
}

// ListKeys lists the keys of user (all users' when empty), live ones first, newest first.
func ListKeys(ctx context.Context, pool *pgxpool.Pool, user string) ([]Key, error) {
	rows, err := pool.Query(ctx, `SELECT id, user_name, name, prefix, groups, scope, created_at, expires_at, last_used_at, revoked_at
		FROM api_keys WHERE $1 = '' OR user_name = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`, user)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Key, error) {
		var k Key
		err := row.Scan(&k.ID, &k.User, &k.Name, &k.Prefix, &k.Groups, &k.Scope, &k.Created, &k.Expires, &k.LastUsed, &k.Revoked)
		return k, err
	})
}

// RevokeKey revokes user's live key called name; it fails from its next request on.
func RevokeKey(ctx context.Context, pool *pgxpool.Pool, user, name string) (Key, error) {
	var k Key
	err := pool.QueryRow(ctx, `UPDATE api_keys SET revoked_at = now() WHERE user_name = $1 AND name = $2 AND revoked_at IS NULL
		RETURNING id, user_name, name, prefix, groups, scope, created_at, expires_at, last_used_at, revoked_at`, user, name).
		Scan(&k.ID, &k.User, &k.Name, &k.Prefix, &k.Groups, &k.Scope, &k.Created, &k.Expires, &k.LastUsed, &k.Revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("%w: %s has no live key named %q", ErrNotFound, user, name)
	}
	return k, err
}

// UseKey returns the live key whose secret is token and notes that it was used, or ErrInvalid
// for anything else (unknown, revoked, expired).
func UseKey(ctx context.Context, pool *pgxpool.Pool, token string) (Key, error) {
	var k Key
	if !strings.HasPrefix(token, KeyPrefix) {
		return k, ErrInvalid
	}
	err := pool.QueryRow(ctx, `UPDATE api_keys SET last_used_at = now()
		WHERE hash = $1 AND revoked_at IS NULL AND expires_at > now()
		RETURNING id, user_name, name, prefix, groups, scope, created_at, expires_at, last_used_at`, hash(token)).
		Scan(&k.ID, &k.User, &k.Name, &k.Prefix, &k.Groups, &k.Scope, &k.Created, &k.Expires, &k.LastUsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, ErrInvalid
	}
	return k, err
}

// ParseTTL reads a key lifetime: a number of days such as 90d, or a Go duration such as 12h.
func ParseTTL(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 && n <= 3660 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 && d <= 3660*24*time.Hour {
		return d, nil
	}
	return 0, fmt.Errorf("expires: want a lifetime such as 90d or 12h, not %q", v)
}

// SetKeyGroups gives user's live keys the groups the user has now: a key acts with its owner's
// current groups, never with groups they have lost. OIDC calls it at each sign-in; behind a
// proxy, the web server calls it when a reader's groups change.
func SetKeyGroups(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, user string, groups []string) error {
	if groups == nil {
		groups = []string{}
	}
	_, err := db.Exec(ctx, `UPDATE api_keys SET groups = $2 WHERE user_name = $1 AND revoked_at IS NULL AND groups <> $2`, user, groups)
	return err
}
