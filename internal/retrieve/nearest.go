package retrieve

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
)

// searchSettings are the planner settings of a search's transaction.
//
// Iterative scans keep the HNSW index useful when access or filters reject most of the nearest
// neighbours: pgvector keeps scanning until enough rows pass. Sequential scans are off because
// the planner underrates fetching every stored vector: on a small table it would rather compute
// all distances than use HNSW, ten times slower. (Only for the search itself: the term lookup
// is better planned without.) JIT is off, as in every search transaction (see Searcher.read),
// and here on the vector branch's own connection too: with sequential scans disabled, any
// remaining one (a tiny table) carries the planner's disable cost, which passes jit_above_cost
// and made PostgreSQL compile the query for 50-100 ms; a single client searched SciFact at 37
// queries/s with JIT and 70 without.
func searchSettings(efSearch int) string {
	return fmt.Sprintf(`SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = %d; SET LOCAL enable_seqscan = off; SET LOCAL jit = off`, efSearch)
}

// vecHit is a passage the vector branch found, with its cosine similarity to the query.
type vecHit struct {
	id  int64
	sim float64
}

// nearestResult is the vector branch's answer when it ran on its own connection; ran is false
// when no connection was free, and the branch is left to the search's own transaction.
type nearestResult struct {
	hits []vecHit
	ran  bool
	err  error
}

// connectionWait is how long the vector branch waits for a second connection before it leaves
// the work to the search's own: under load every connection may be held by a search waiting for
// a second one, and waiting longer would only queue them behind each other.
const connectionWait = 10 * time.Millisecond

// nearestConcurrently runs the vector branch on a second connection while the caller runs the
// lexical one, so a hybrid search costs the slower branch, not both. The second transaction
// imports the caller's snapshot (exported with pg_export_snapshot, which keeps it valid while
// the caller's transaction is open): both branches read the same committed state, so a
// document's groups cannot change between the access check of one branch and the other, nor
// before the passages are read.
func (s *Searcher) nearestConcurrently(ctx context.Context, pool *pgxpool.Pool, snapshot string, q Query, vec []float32, candidates, efSearch int) <-chan nearestResult {
	out := make(chan nearestResult, 1)
	go func() {
		actx, cancel := context.WithTimeout(ctx, connectionWait)
		conn, err := pool.Acquire(actx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				out <- nearestResult{err: ctx.Err()}
			} else {
				out <- nearestResult{}
			}
			return
		}
		defer conn.Release()
		var hits []vecHit
		readOnly := pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}
		err = pgx.BeginTxFunc(ctx, conn, readOnly, func(tx pgx.Tx) error {
			// SET TRANSACTION SNAPSHOT must be the transaction's first statement.
			if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(snapshot)+"; "+searchSettings(efSearch)); err != nil {
				return err
			}
			args := []any{pgvector.NewVector(vec)}
			sql := fmt.Sprintf(`SELECT id, 1 - dist FROM (%s) c`, nearestSQL("$1", accessSQL(q, func(v any) string {
				args = append(args, v)
				return fmt.Sprintf("$%d", len(args))
			}), candidates))
			rows, err := tx.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			var h vecHit
			_, err = pgx.ForEachRow(rows, []any{&h.id, &h.sim}, func() error { hits = append(hits, h); return nil })
			return err
		})
		if err != nil {
			out <- nearestResult{err: fmt.Errorf("vector branch: %w", err)}
			return
		}
		out <- nearestResult{hits: hits, ran: true}
	}()
	return out
}

// nearestSQL selects the candidates nearest to the query vector v (a parameter) among the
// chunks c that pass the access condition, with their cosine distance dist. The access and
// filter conditions are checked per candidate as HNSW proposes it, so no restricted row is
// ever fetched, with HNSW's iterative scan continuing past rejected rows. The limit is inlined
// so the planner knows it is small and lets the index drive.
func nearestSQL(v, access string, candidates int) string {
	return fmt.Sprintf(`SELECT id, embedding <=> %[1]s AS dist FROM chunks c
	      WHERE c.embedding IS NOT NULL AND %[3]s
	      ORDER BY c.embedding <=> %[1]s LIMIT %[2]s`, v, strconv.Itoa(candidates), access)
}

// quoteLiteral quotes s as an SQL string literal (SET takes no parameters).
func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := range len(s) {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
