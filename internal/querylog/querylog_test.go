package querylog_test

import (
	"context"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/docenttest"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/querylog"
)

const days90 = 90 * 24 * time.Hour

// askers records one question per user under the given Users mode and returns the askers
// stored, in order.
func askers(t *testing.T, l *querylog.Log, users ...string) []string {
	t.Helper()
	ctx := context.Background()
	for _, u := range users {
		l.Record(ctx, querylog.Entry{User: u, Channel: "api", Question: "where is the budget?", Outcome: querylog.Declined,
			Latency: 12 * time.Millisecond, Mode: "extractive", Model: "extractive"})
	}
	rows, err := l.Pool.Query(ctx, `SELECT asker FROM query_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if len(out) != len(users) {
		t.Fatalf("%d entries recorded for %d questions", len(out), len(users))
	}
	return out
}

func TestPseudonymsAreStableAndDistinct(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	got := askers(t, &querylog.Log{Pool: pool, Retention: days90, Log: docenttest.Log}, "ann", "bo", "ann")
	if got[0] != got[2] {
		t.Errorf("ann's pseudonyms differ: %q and %q", got[0], got[2])
	}
	if got[0] == got[1] {
		t.Errorf("ann and bo share the pseudonym %q", got[0])
	}
	for _, a := range got {
		if a == "ann" || a == "bo" || len(a) < 10 {
			t.Errorf("stored asker %q is not a pseudonym", a)
		}
	}
	// Another server on the same database (a fresh Log) reads the same key: same pseudonym.
	again, err := (&querylog.Log{Pool: pool}).Pseudonym(context.Background(), "ann")
	if err != nil || again != got[0] {
		t.Errorf("another server's pseudonym for ann = %q, %v; want %q", again, err, got[0])
	}
	// Another database has another key: pseudonyms cannot be matched across installations.
	other, err := (&querylog.Log{Pool: pgtest.NewPool(t)}).Pseudonym(context.Background(), "ann")
	if err != nil || other == got[0] {
		t.Errorf("another installation's pseudonym for ann = %q, %v; want a different one", other, err)
	}
}

func TestNameAndNoneModes(t *testing.T) {
	t.Parallel()
	got := askers(t, &querylog.Log{Pool: pgtest.NewPool(t), Users: querylog.Name, Retention: days90, Log: docenttest.Log}, "ann", "bo")
	if got[0] != "ann" || got[1] != "bo" {
		t.Errorf("name mode stored %q", got)
	}
	got = askers(t, &querylog.Log{Pool: pgtest.NewPool(t), Users: querylog.None, Retention: days90, Log: docenttest.Log}, "ann", "bo")
	if got[0] != "" || got[1] != "" {
		t.Errorf("none mode stored %q", got)
	}
}

func TestNoRetentionKeepsNoLog(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	(&querylog.Log{Pool: pool, Log: docenttest.Log}).Record(context.Background(), querylog.Entry{User: "ann", Channel: "api", Question: "q", Outcome: querylog.Answered})
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM query_log`).Scan(&n); err != nil || n != 0 {
		t.Errorf("DOCENT_QUERY_LOG_DAYS=0 logged %d entries (err %v)", n, err)
	}
}

func TestPurgeRemovesEntriesOlderThanTheRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	l := &querylog.Log{Pool: pool, Retention: days90, Log: docenttest.Log}
	for _, q := range []string{"old", "recent", "new"} {
		l.Record(ctx, querylog.Entry{User: "ann", Channel: "page", Question: q, Outcome: querylog.Answered})
	}
	if _, err := pool.Exec(ctx, `UPDATE query_log SET at = now() - CASE question WHEN 'old' THEN interval '91 days' WHEN 'recent' THEN interval '89 days' ELSE interval '0' END`); err != nil {
		t.Fatal(err)
	}
	n, err := l.Purge(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want 1 entry", n, err)
	}
	var left []string
	if err := pool.QueryRow(ctx, `SELECT array_agg(question ORDER BY id) FROM query_log`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != "recent" || left[1] != "new" {
		t.Errorf("after the purge: %q, want [recent new]", left)
	}
}

// BenchmarkRecord is what logging adds to each question (one pseudonymised insert).
func BenchmarkRecord(b *testing.B) {
	l := &querylog.Log{Pool: pgtest.NewPool(b), Retention: days90, Log: docenttest.Log}
	e := querylog.Entry{User: "ann", Channel: "api", Question: "is a taxi home after a client dinner reimbursed?", Outcome: querylog.Answered,
		Latency: 40 * time.Millisecond, Documents: []querylog.Document{{Source: "docs", Document: "travel.md"}}, Mode: "extractive", Model: "extractive"}
	for b.Loop() {
		l.Record(context.Background(), e)
	}
}
