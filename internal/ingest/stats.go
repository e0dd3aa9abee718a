package ingest

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statsLock serialises refreshes of the term statistics.
const statsLock = 0x7465726d // "term"

// RefreshStats recomputes the term statistics BM25 ranking uses: each lexeme's document
// frequency over all chunks, the number of chunks and their average length.
func RefreshStats(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, statsLock),
			`DELETE FROM term_stats`,
			`INSERT INTO term_stats (lexeme, df) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks')`,
			`INSERT INTO corpus_stats (chunks, avg_words)
			   SELECT count(*), coalesce(avg(words), 0) FROM chunks
			 ON CONFLICT (singleton) DO UPDATE SET chunks = EXCLUDED.chunks, avg_words = EXCLUDED.avg_words, refreshed_at = now()`,
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
