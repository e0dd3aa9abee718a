// Package querylog records every question asked, with its outcome, latency and top documents,
// for as long as DOCENT_QUERY_LOG_DAYS says, and who asked as DOCENT_QUERY_LOG_USERS says: a
// keyed pseudonym (the default), the name, or nothing. It is what shows a team which questions
// its documents fail to answer; the privacy rules are in SECURITY.md.
package querylog

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Who asked, as stored.
const (
	Pseudonym = "pseudonym"
	Name      = "name"
	None      = "none"
)

// Outcomes of a question.
const (
	Answered = "answered"
	Declined = "declined"
	Error    = "error"
)

// Log writes the query log. Its zero Users is Pseudonym; a zero Retention keeps no log at all.
type Log struct {
	Pool      *pgxpool.Pool
	Users     string
	Retention time.Duration
	Log       *slog.Logger

	mu  sync.Mutex
	key []byte
}

// Document is one of the top documents of a question.
type Document struct {
	Source   string `json:"source"`
	Document string `json:"document"`
}

// Entry is one question asked.
type Entry struct {
	User, Channel, Question, Outcome string
	Latency                          time.Duration
	Documents                        []Document
	Mode, Model                      string
}

// recordTimeout bounds a write to the log: a slow database delays an answer by at most this.
const recordTimeout = time.Second

// Record writes e. It never fails the question: an error is logged, not returned, and the
// write gives up after recordTimeout. It runs in the request rather than in the background so
// that no write is lost when the server stops, at the cost of one small insert (about a
// millisecond) per question.
func (l *Log) Record(ctx context.Context, e Entry) {
	if l == nil || l.Retention <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := l.record(ctx, e); err != nil {
		l.logger().Warn("recording the question in the query log", "err", err)
	}
}

func (l *Log) record(ctx context.Context, e Entry) error {
	asker, err := l.asker(ctx, e.User)
	if err != nil {
		return err
	}
	if e.Documents == nil {
		e.Documents = []Document{}
	}
	docs, err := json.Marshal(e.Documents)
	if err != nil {
		return err
	}
	// The commit does not wait for the WAL to reach disk (about 10 ms on a busy disk, as much
	// as a whole extractive answer): a crash may lose the last entries, never corrupt them.
	return pgx.BeginFunc(ctx, l.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO query_log (asker, channel, question, outcome, latency_ms, documents, mode, model)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, asker, e.Channel, e.Question, e.Outcome, e.Latency.Milliseconds(), docs, e.Mode, e.Model)
		return err
	})
}

func (l *Log) logger() *slog.Logger {
	if l.Log == nil {
		return slog.Default()
	}
	return l.Log
}

// asker is how user is stored.
func (l *Log) asker(ctx context.Context, user string) (string, error) {
	switch l.Users {
	case Name:
		return user, nil
	case None:
		return "", nil
	}
	return l.Pseudonym(ctx, user)
}

// keyName is the server secret the pseudonyms are keyed with.
const keyName = "query_log_pseudonym"

// Pseudonym is user's stable pseudonym: an HMAC-SHA-256 of the name under a random key made on
// first use and kept in the database (server_secrets), so every server gives the same user the
// same pseudonym, and nobody without the database can tell who it is by hashing known names.
func (l *Log) Pseudonym(ctx context.Context, user string) (string, error) {
	key, err := l.secret(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(user))
	return "u-" + hex.EncodeToString(mac.Sum(nil)[:8]), nil
}

// secret returns the pseudonym key, creating it if no server has yet.
func (l *Log) secret(ctx context.Context) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key != nil {
		return l.key, nil
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	var key []byte
	// Two servers starting at once both insert; the loser's conflict update returns the
	// winner's key.
	err := l.Pool.QueryRow(ctx, `INSERT INTO server_secrets (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = server_secrets.value RETURNING value`, keyName, fresh).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("reading the query log's pseudonym key: %w", err)
	}
	l.key = key
	return key, nil
}

// Purge deletes the entries older than the retention, returning how many.
func (l *Log) Purge(ctx context.Context) (int64, error) {
	tag, err := l.Pool.Exec(ctx, `DELETE FROM query_log WHERE at < now() - make_interval(secs => $1)`, l.Retention.Seconds())
	if err != nil {
		return 0, fmt.Errorf("purging the query log: %w", err)
	}
	return tag.RowsAffected(), nil
}

// PurgeEvery purges now and then every interval until ctx ends. A timer rather than a purge on
// insert keeps the promise of the retention even when nobody asks anything for a while; every
// server may run it, since deleting what another already deleted is harmless.
func (l *Log) PurgeEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := l.Purge(ctx); err != nil {
			l.logger().Warn("purging the query log", "err", err)
		} else if n > 0 {
			l.logger().Info("purged the query log", "entries", n, "older than", l.Retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
