package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
)

// ErrModelMismatch is returned when the configured embedding model is not the one the index
// was built with: mixing vector spaces would silently return nonsense.
var ErrModelMismatch = errors.New("embedding model mismatch")

// Model is the embedding model and dimension an index is built with.
type Model struct {
	Name      string
	Dimension int
}

// modelLock serialises the processes that type the embedding column and build its index.
const modelLock = 0x646f63656e74 // "docent"

// EnsureModel records m as the index's model when none is recorded yet, types the embedding
// column and builds its HNSW index. When another model is recorded it returns
// ErrModelMismatch with the command that re-embeds.
func EnsureModel(ctx context.Context, pool *pgxpool.Pool, m Model) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, modelLock); err != nil {
			return fmt.Errorf("locking the index model: %w", err)
		}
		cur, err := currentModel(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case cur == m:
			// The index may be missing after an interrupted bulk load or re-embedding.
			return createVectorIndex(ctx, tx)
		case cur != Model{}:
			return fmt.Errorf("%w: the index was built with %s (%d dimensions) but %s (%d dimensions) is configured.\n"+
				"Either configure %s again, or re-embed every chunk with the new model (no files are re-parsed):\n"+
				"    indexer reembed", ErrModelMismatch, cur.Name, cur.Dimension, m.Name, m.Dimension, cur.Name)
		}
		return setModel(ctx, tx, m, true)
	})
}

// ReplaceModel switches the index to m: every stored vector is dropped, the column retyped and
// the vector index dropped. The caller then re-embeds every chunk and calls BuildVectorIndex;
// until then search falls back to full text for the chunks without vectors.
func ReplaceModel(ctx context.Context, pool *pgxpool.Pool, m Model) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, modelLock); err != nil {
			return fmt.Errorf("locking the index model: %w", err)
		}
		for _, q := range []string{
			`DROP INDEX IF EXISTS chunks_embedding_hnsw`,
			`UPDATE chunks SET embedding = NULL WHERE embedding IS NOT NULL`,
			`DELETE FROM index_model`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("clearing the old embeddings: %w", err)
			}
		}
		return setModel(ctx, tx, m, false)
	})
}

// lexicalIndexes are the postings' B-trees (migration 00006): the primary key, which the
// search and the delete trigger look single (lexeme, chunk) pairs up in, and the impact order
// one-word queries read.
var lexicalIndexes = []struct{ name, create string }{
	{"postings_pkey", `ALTER TABLE postings ADD CONSTRAINT postings_pkey PRIMARY KEY (lexeme, chunk_id) INCLUDE (tf, tf_title, tf_heading, dl)`},
	{"postings_impact", `CREATE INDEX postings_impact ON postings (lexeme, (tf + tf_heading) DESC, dl, chunk_id)`},
}

// DropSearchIndexes drops the search indexes before a bulk load into an empty index: the HNSW
// index and the postings' two B-trees. Building each once afterwards is several times faster
// than maintaining it row by row: a passage adds about 60 postings, each an insert at a random
// place in both B-trees, which is where most of a load's time went (see BENCHMARKS.md). Until
// the load ends, full-text search reads the postings without an index (slowly).
func DropSearchIndexes(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `DROP INDEX IF EXISTS chunks_embedding_hnsw, postings_impact;
		ALTER TABLE postings DROP CONSTRAINT IF EXISTS postings_pkey`); err != nil {
		return fmt.Errorf("dropping the search indexes for a bulk load: %w", err)
	}
	return nil
}

// BuildSearchIndexes builds whichever search index is missing, the postings' B-trees and the
// HNSW index at once, each on its own connection (and core): built one after the other, the
// B-trees added their time to the end of a first indexing run (10,000 files: 114 s before
// they were dropped for the load, 131-160 s after, on a loaded machine). buildMemory is the
// maintenance_work_mem of each build in bytes (0: the server's setting): an HNSW graph that
// outgrows it is built several times slower.
func BuildSearchIndexes(ctx context.Context, pool *pgxpool.Pool, buildMemory int64) error {
	var g errgroup.Group
	g.Go(func() error { return BuildLexicalIndexes(ctx, pool, buildMemory) })
	g.Go(func() error { return BuildVectorIndex(ctx, pool, buildMemory) })
	return g.Wait()
}

// BuildLexicalIndexes builds the postings' B-trees if they are missing (after a bulk load).
func BuildLexicalIndexes(ctx context.Context, pool *pgxpool.Pool, buildMemory int64) error {
	for _, ix := range lexicalIndexes {
		if exists, err := indexExists(ctx, pool, ix.name); err != nil || exists {
			if err != nil {
				return err
			}
			continue
		}
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if err := setBuildMemory(ctx, tx, buildMemory); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, ix.create)
			return err
		})
		if err != nil {
			return fmt.Errorf("building index %s: %w", ix.name, err)
		}
	}
	return nil
}

// BuildVectorIndex builds the HNSW index if it is missing.
func BuildVectorIndex(ctx context.Context, pool *pgxpool.Pool, buildMemory int64) error {
	// Checked first because CREATE INDEX IF NOT EXISTS locks the table against writes before
	// it finds the index there.
	if exists, err := indexExists(ctx, pool, "chunks_embedding_hnsw"); err != nil || exists {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := setBuildMemory(ctx, tx, buildMemory); err != nil {
			return err
		}
		return createVectorIndex(ctx, tx)
	})
}

func indexExists(ctx context.Context, pool *pgxpool.Pool, name string) (bool, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("looking for index %s: %w", name, err)
	}
	return exists, nil
}

func setBuildMemory(ctx context.Context, tx pgx.Tx, buildMemory int64) error {
	if buildMemory <= 0 {
		return nil
	}
	mem := fmt.Sprintf("%dkB", buildMemory>>10)
	if _, err := tx.Exec(ctx, `SELECT set_config('maintenance_work_mem', $1, true)`, mem); err != nil {
		return fmt.Errorf("setting the index build memory to %s: %w", mem, err)
	}
	return nil
}

func createVectorIndex(ctx context.Context, tx pgx.Tx) error {
	// pgvector before 0.8.2 can overflow a buffer in parallel HNSW builds (CVE-2026-3172), so
	// with those versions the index is built on one core; later ones use the server's
	// max_parallel_maintenance_workers. The version that counts is the installed library's
	// (pg_available_extensions), not the one the database was created with: an upgraded
	// library serves databases whose extension was never ALTERed, and its build code is the
	// new one.
	var serial bool
	if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT (regexp_match(default_version, '^(\d+)\.(\d+)\.(\d+)'))::int[] < '{0,8,2}'
		FROM pg_available_extensions WHERE name = 'vector'), true)`).Scan(&serial); err != nil {
		return fmt.Errorf("reading pgvector's version: %w", err)
	}
	if serial {
		if _, err := tx.Exec(ctx, `SET LOCAL max_parallel_maintenance_workers = 0`); err != nil {
			return err
		}
	}
	// ef_construction 128. It was 32, chosen on SciFact alone (the same quality as 64 in half
	// the build time), where the built-in embedder's English word vectors make a graph that is
	// easy to search. On German and Chinese manual pages, where the embedder has only its
	// hashed features, the graph built with 32 found at hnsw.ef_search 200 less than two thirds
	// of what exact search finds (manpages-zh vector Recall@100 0.56, nDCG@10 0.38; 0.89 and
	// 0.58 at ef_search 1000), and its figures moved by up to 0.3 between builds. With 128:
	// Recall@100 0.75-0.94, nDCG@10 0.50-0.61 at ef_search 200 in three builds (0.46-0.77 and
	// 0.34-0.54 in four with 32). The build takes about twice as long as with 32, and keeping
	// the graph up to date as files arrive costs about as much more (README, "Performance").
	if _, err := tx.Exec(ctx, `CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 128)`); err != nil {
		return fmt.Errorf("building the vector index: %w", err)
	}
	return nil
}

// CurrentModel returns the recorded model, or the zero Model when nothing was indexed yet.
func CurrentModel(ctx context.Context, pool *pgxpool.Pool) (Model, error) {
	return currentModel(ctx, pool)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func currentModel(ctx context.Context, q querier) (Model, error) {
	var m Model
	err := q.QueryRow(ctx, `SELECT model, dimension FROM index_model`).Scan(&m.Name, &m.Dimension)
	if errors.Is(err, pgx.ErrNoRows) {
		return Model{}, nil
	}
	if err != nil {
		return Model{}, fmt.Errorf("reading the index model: %w", err)
	}
	return m, nil
}

// setModel records m and types the embedding column for it; withIndex also builds the HNSW
// index (cheap on an empty table, and then maintained as chunks arrive).
func setModel(ctx context.Context, tx pgx.Tx, m Model, withIndex bool) error {
	// HNSW indexes vectors of up to 2,000 dimensions.
	if m.Dimension <= 0 || m.Dimension > 2000 {
		return fmt.Errorf("embedding model %s has %d dimensions; Docent's vector index supports 1 to 2000", m.Name, m.Dimension)
	}
	// Changing the type resets the storage strategy, so it is set again here (see migration 00005).
	q := fmt.Sprintf(`ALTER TABLE chunks ALTER COLUMN embedding TYPE vector(%d), ALTER COLUMN embedding SET STORAGE MAIN`, m.Dimension)
	if _, err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("preparing the embedding column for %s: %w", m.Name, err)
	}
	if withIndex {
		if err := createVectorIndex(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO index_model (model, dimension) VALUES ($1, $2)`, m.Name, m.Dimension); err != nil {
		return fmt.Errorf("recording the index model: %w", err)
	}
	return nil
}
