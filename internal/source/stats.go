package source

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statsLock serialises refreshes of the term statistics.
const statsLock = 0x7465726d // "term"

// RefreshStats recomputes the term statistics BM25 ranking uses: each lexeme's document
// frequency over all chunks, the number of chunks and their average length (in indexed
// tokens, as postings.dl counts them). Postings change with every document written; these
// statistics are a snapshot that searches apply to the current postings, so a search between
// refreshes ranks exactly by BM25 with the last snapshot's IDF and average length.
func RefreshStats(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, statsLock),
			`DELETE FROM term_stats`,
			`INSERT INTO term_stats (lexeme, df) SELECT lexeme, count(*) FROM postings GROUP BY lexeme`,
			`INSERT INTO corpus_stats (chunks, avg_length)
			   SELECT n, coalesce((SELECT sum(tf)::float8 FROM postings), 0) / greatest(n, 1) FROM (SELECT count(*) AS n FROM chunks) c
			 ON CONFLICT (singleton) DO UPDATE SET chunks = EXCLUDED.chunks, avg_length = EXCLUDED.avg_length, refreshed_at = now()`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("refreshing term statistics: %w", err)
	}
	return nil
}
