package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/docent-search/docent/internal/language"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// Prepared is a document parsed, chunked and embedded elsewhere, ready to store.
type Prepared struct {
	Path, Title, Type, Body string
	Chunks                  []Chunk
	Vectors                 [][]float32
}

// LoadOptions tunes Load.
type LoadOptions struct {
	// Model is the embedding model the vectors come from; it must match the index's.
	Model postgres.Model
	// Connections is how many transactions write at once (default 2): PostgreSQL computes the
	// full-text vectors of a COPY on the one core serving it.
	Connections int
	// Batch is how many documents one transaction stores (default 200).
	Batch int
	// TextSearchConfig is the text-search configuration stored with each chunk (default english).
	TextSearchConfig string
	// Languages, when set, detects each chunk's language as the indexer does (a
	// DOCENT_LANGUAGES value); unset, every chunk gets TextSearchConfig, so loaded benchmark
	// and test corpora keep one configuration whatever their invented words look like.
	Languages string
	// IndexBuildMemory is maintenance_work_mem for the index builds (0: the server's setting).
	IndexBuildMemory int64
	// Log, when set, gets the time each phase took (writing, vacuum, each index build, term
	// statistics) at debug level.
	Log *slog.Logger
}

// Load stores prepared documents into src in bulk and leaves the index fully searchable: vector
// index and postings built, term statistics current. Into an empty index the search indexes
// (HNSW and the postings' B-trees) are dropped first and built once at the end, which is
// several times faster than maintaining them per row. Documents of src with the same path are replaced.
func Load(ctx context.Context, pool *pgxpool.Pool, src source.Source, docs iter.Seq[Prepared], opt LoadOptions) error {
	if err := postgres.EnsureModel(ctx, pool, opt.Model); err != nil {
		return err
	}
	tsConfigs, err := loadTextConfigs(ctx, pool, cmp.Or(opt.TextSearchConfig, postgres.DefaultTextSearchConfig), cmp.Or(opt.Languages, language.Off))
	if err != nil {
		return err
	}
	var empty bool
	if err := pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM chunks)`).Scan(&empty); err != nil {
		return fmt.Errorf("reading the index: %w", err)
	}
	if empty {
		if err := postgres.DropSearchIndexes(ctx, pool); err != nil {
			return err
		}
	}
	log := cmp.Or(opt.Log, slog.New(slog.DiscardHandler))
	timed := func(phase string, run func() error) error {
		start := time.Now()
		err := run()
		log.Debug("bulk load", "phase", phase, "took", time.Since(start).Round(time.Millisecond))
		return err
	}
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(opt.Connections, 2))
	var part []Prepared
	flush := func() {
		batch := part
		g.Go(func() error { return loadBatch(gctx, pool, src, batch, tsConfigs) })
		part = nil
	}
	for d := range docs {
		if err := check(d, opt.Model.Dimension); err != nil {
			part = nil
			g.Go(func() error { return err })
			break
		}
		if part = append(part, d); len(part) == cmp.Or(opt.Batch, 200) {
			flush()
		}
		if gctx.Err() != nil {
			break
		}
	}
	if len(part) > 0 {
		flush()
	}
	if err := g.Wait(); err != nil {
		// What was loaded still gets its indexes.
		return errors.Join(err, postgres.BuildSearchIndexes(context.WithoutCancel(ctx), pool, opt.IndexBuildMemory))
	}
	log.Debug("bulk load", "phase", "write", "took", time.Since(start).Round(time.Millisecond))
	// The load outran autovacuum: set the visibility map and planner statistics now (on a first
	// load, before there are indexes to scan), rather than have autovacuum do it under the
	// first queries.
	if err := timed("vacuum", func() error {
		_, err := pool.Exec(ctx, `VACUUM (ANALYZE) chunks, documents, postings`)
		return err
	}); err != nil {
		return fmt.Errorf("vacuuming the loaded tables: %w", err)
	}
	return buildIndexes(ctx, pool, opt.IndexBuildMemory, true, log)
}

// buildIndexes builds whichever search index is missing and, with refresh, the term
// statistics. The HNSW build, the longest (a serial build: see postgres.BuildVectorIndex),
// takes one core; the postings' B-trees and then the term statistics (which read every
// posting) take the other. Where the indexes exist, only the statistics take time.
func buildIndexes(ctx context.Context, pool *pgxpool.Pool, buildMemory int64, refresh bool, log *slog.Logger) error {
	timed := func(phase string, run func() error) error {
		start := time.Now()
		err := run()
		log.Debug("search indexes", "phase", phase, "took", time.Since(start).Round(time.Millisecond))
		return err
	}
	var g errgroup.Group
	g.Go(func() error {
		return timed("vector index", func() error { return postgres.BuildVectorIndex(ctx, pool, buildMemory) })
	})
	g.Go(func() error {
		if err := timed("postings indexes", func() error { return postgres.BuildLexicalIndexes(ctx, pool, buildMemory) }); err != nil {
			return err
		}
		if !refresh {
			return nil
		}
		return timed("term statistics", func() error { return source.RefreshStats(ctx, pool) })
	})
	return g.Wait()
}

// check refuses a document whose vectors do not fit its chunks or the model.
func check(d Prepared, dim int) error {
	if len(d.Vectors) != len(d.Chunks) {
		return fmt.Errorf("document %s: %d vectors for %d chunks", d.Path, len(d.Vectors), len(d.Chunks))
	}
	for _, v := range d.Vectors {
		if len(v) != dim {
			return fmt.Errorf("document %s: a %d-dimensional vector where the model has %d", d.Path, len(v), dim)
		}
	}
	return nil
}

// loadBatch stores documents and their chunks in one transaction.
func loadBatch(ctx context.Context, pool *pgxpool.Pool, src source.Source, docs []Prepared, tsConfigs textConfigs) error {
	paths := make([]string, len(docs))
	titles := make([]string, len(docs))
	types := make([]string, len(docs))
	bodies := make([]string, len(docs))
	hashes := make([][]byte, len(docs))
	groups := make([][]string, len(docs))
	for i, d := range docs {
		h := sha256.Sum256([]byte(d.Body))
		paths[i], titles[i], types[i], bodies[i], hashes[i] = d.Path, d.Title, d.Type, d.Body, h[:]
		groups[i] = nonNil(src.GroupsFor(d.Path))
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Replaced documents lose their chunks with them (ON DELETE CASCADE).
		if _, err := tx.Exec(ctx, `DELETE FROM documents WHERE source_id = $1 AND path = ANY($2)`, src.ID, paths); err != nil {
			return fmt.Errorf("replacing documents: %w", err)
		}
		rows, err := tx.Query(ctx, `INSERT INTO documents (source_id, path, title, type, size, hash, groups, status, body)
			SELECT $1, p, t, ty, octet_length(b), h, g, 'indexed', b
			FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[]) AS u(p, t, ty, b, h)
			CROSS JOIN LATERAL (SELECT $7::jsonb -> p AS gj) j
			CROSS JOIN LATERAL (SELECT coalesce(array(SELECT jsonb_array_elements_text(j.gj)), '{}') AS g) gg
			RETURNING id, path`, src.ID, paths, titles, types, bodies, hashes, groupsByPath(paths, groups))
		if err != nil {
			return fmt.Errorf("storing documents: %w", err)
		}
		ids := map[string]int64{}
		for rows.Next() {
			var id int64
			var path string
			if err := rows.Scan(&id, &path); err != nil {
				rows.Close()
				return err
			}
			ids[path] = id
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("storing documents: %w", err)
		}
		var all []chunkRow
		for i, d := range docs {
			all = append(all, chunkRows(ids[d.Path], d.Title, d.Chunks, d.Vectors, groups[i], tsConfigs.assign(d.Chunks))...)
		}
		if err := copyChunks(ctx, tx, all); err != nil {
			return fmt.Errorf("storing chunks: %w", err)
		}
		return nil
	})
}

// groupsByPath maps each path to its groups, for the insert above: PostgreSQL arrays cannot
// hold arrays of different lengths.
func groupsByPath(paths []string, groups [][]string) map[string][]string {
	m := make(map[string][]string, len(paths))
	for i, p := range paths {
		m[p] = groups[i]
	}
	return m
}
