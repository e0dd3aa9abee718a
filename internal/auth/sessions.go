package auth

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Session is a signed-in browser: who, with which groups, until when.
type Session struct {
	User    string
	Groups  []string
	Expires time.Time
}

// StartSession records a sign-in and returns the token for the cookie. The user's API keys
// take the groups of this sign-in too, so a group the identity provider no longer sends is
// lost by the keys as well.
func StartSession(ctx context.Context, pool *pgxpool.Pool, user string, groups []string, ttl time.Duration) (string, Session, error) {
	token := secret(32)
	s := Session{User: user, Groups: nonNil(groups), Expires: time.Now().Add(ttl)}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return "", s, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_name, groups, expires_at) VALUES ($1, $2, $3, $4)`,
		hash(token), user, s.Groups, s.Expires); err != nil {
		return "", s, err
	}
	if err := SetKeyGroups(ctx, tx, user, s.Groups); err != nil {
		return "", s, err
	}
	// Expired sessions are of no use to anyone: sign-ins sweep them.
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < now()`); err != nil {
		return "", s, err
	}
	return token, s, tx.Commit(ctx)
}

// LookupSession returns the live session of token, or ErrInvalid.
func LookupSession(ctx context.Context, pool *pgxpool.Pool, token string) (Session, error) {
	var s Session
	err := pool.QueryRow(ctx, `SELECT user_name, groups, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > now()`,
		hash(token)).Scan(&s.User, &s.Groups, &s.Expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, ErrInvalid
	}
	return s, err
}

// EndSession revokes the session of token (sign-out); an unknown token is not an error.
func EndSession(ctx context.Context, pool *pgxpool.Pool, token string) error {
	_, err := pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash(token))
	return err
}
