package source

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statsLock serialises refreshes of the term statistics.
const statsLock = 0x7465726d // "term"

// blockSize is the most postings a row of postings_blocks holds: 256 keep a row (about 4 KB)
// in its page, uncompressed.
const blockSize = 256

// RefreshStats recomputes the term statistics BM25 ranking uses, and the text-search
// configurations questions are parsed with: those of at least 1% of the chunks, so that a
// few passages detected as another language (a code listing called Italian) do not change
// how every question of an English index is parsed. The term statistics are each lexeme's document
// frequency over all chunks, the number of chunks and their average length (in indexed
// tokens, as postings.dl counts them: stems, not the exact word forms beside them, see
// migrations/00024_exact_forms.sql), and the same at the level of documents for the
// document-level score the fusion adds (retrieve.documentBM25): each lexeme's number of
// documents, each document's length (its chunks' summed) and their number and average. Postings change with every document written; these
// statistics are a snapshot that searches apply to the current postings, so a search between
// refreshes ranks exactly by BM25 with the last snapshot's IDF and average length.
func RefreshStats(ctx context.Context, pool *pgxpool.Pool) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, statsLock),
			`DELETE FROM term_stats`,
			`INSERT INTO term_stats (lexeme, df, doc_df)
			   SELECT p.lexeme, count(*), count(DISTINCT c.document_id) FROM postings p JOIN chunks c ON c.id = p.chunk_id GROUP BY p.lexeme`,
			// The packed postings (migration 00026). Chunks listed as unpacked are forgotten
			// first: every one this statement sees is then in the blocks, built by a later
			// statement (a later snapshot); one written since stays listed, so the search
			// reads its postings from the table. The weighted term frequency is
			// retrieve.weightedTF; the format, 16 bytes a posting, is migration 00028's.
			`DELETE FROM chunks_unpacked`,
			`DELETE FROM postings_blocks`,
			fmt.Sprintf(`INSERT INTO postings_blocks (lexeme, last_id, postings)
			   SELECT lexeme, max(chunk_id), string_agg(int8send(chunk_id) || int4send(tf + tf_heading) || int4send(dl), ''::bytea ORDER BY chunk_id)
			   FROM (SELECT p.*, (row_number() OVER (PARTITION BY p.lexeme ORDER BY p.chunk_id) - 1) / %d AS block FROM postings p) p
			   GROUP BY lexeme, block`, blockSize),
			`DELETE FROM document_stats`,
			`INSERT INTO document_stats (document_id, length)
			   SELECT c.document_id, coalesce(sum(p.tf) FILTER (WHERE NOT starts_with(p.lexeme, '=')), 0)
			   FROM postings p JOIN chunks c ON c.id = p.chunk_id GROUP BY c.document_id`,
			`INSERT INTO corpus_stats (chunks, avg_length, documents, avg_doc_length, configs, blocks_upto)
			   SELECT c.n, coalesce((SELECT sum(tf)::float8 FROM postings WHERE NOT starts_with(lexeme, '=')), 0) / greatest(c.n, 1), d.n, d.avg, c.configs,
			          coalesce((SELECT max(last_id) FROM postings_blocks), 0)
			   FROM (SELECT coalesce(sum(n), 0)::bigint AS n, coalesce(array_agg(cfg ORDER BY cfg) FILTER (WHERE n >= 0.01 * total), '{}') AS configs
			         FROM (SELECT ts_config AS cfg, count(*) AS n, sum(count(*)) OVER () AS total FROM chunks GROUP BY ts_config) g) c,
			        (SELECT count(*) AS n, coalesce(avg(length), 0) AS avg FROM document_stats) d
			 ON CONFLICT (singleton) DO UPDATE SET chunks = EXCLUDED.chunks, avg_length = EXCLUDED.avg_length,
			   documents = EXCLUDED.documents, avg_doc_length = EXCLUDED.avg_doc_length, configs = EXCLUDED.configs,
			   blocks_upto = EXCLUDED.blocks_upto, refreshed_at = now()`,
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
