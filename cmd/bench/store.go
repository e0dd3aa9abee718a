package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tmc/langchaingo/schema"
	lcpgvector "github.com/tmc/langchaingo/vectorstores/pgvector"

	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

// docentDB is a fresh database holding n synthetic passages loaded through Docent's store.
type docentDB struct {
	url  string
	pool *pgxpool.Pool
	drop func()
	load time.Duration // from the first row to a fully searchable index
}

func (d *docentDB) Close() {
	d.pool.Close()
	d.drop()
}

// loadDocent loads n passages embedded by e into a fresh database with ingest.Load: COPY on
// two connections (postings written with the chunks), then the HNSW index, then term statistics.
func loadDocent(ctx context.Context, adminURL string, s *synth, n int, e vectorizer, model postgres.Model, buildMemory int64) (*docentDB, error) {
	url, drop, err := freshDatabase(ctx, adminURL)
	if err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		drop()
		return nil, err
	}
	db := &docentDB{url: url, pool: pool, drop: drop}
	src, err := source.Add(ctx, pool, source.Source{Name: "bench", Root: os.TempDir()})
	if err != nil {
		db.Close()
		return nil, err
	}
	start := time.Now()
	err = ingest.Load(ctx, pool, src, s.docs(n, e), ingest.LoadOptions{Model: model, IndexBuildMemory: buildMemory,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	db.load = time.Since(start)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("loading %d passages: %w", n, err)
	}
	return db, nil
}

// lcStore is langchaingo's pgvector store in a fresh database.
type lcStore struct {
	store lcpgvector.Store
	pool  *pgxpool.Pool
	drop  func()
	load  time.Duration
	// loaded is how many passages were added: fewer than asked when the time budget ran out.
	loaded int
}

func (l *lcStore) Close() {
	l.store.Close()
	l.pool.Close()
	l.drop()
}

// loadLangchaingo adds n passages with AddDocuments in batches of 500, the way its examples
// do, with or without its HNSW option. It stops after budget (0: no limit) and reports what it
// loaded, so a slow store can be measured without waiting hours.
func loadLangchaingo(ctx context.Context, adminURL string, s *synth, n int, e *fakeEmbedder, hnsw bool, budget time.Duration) (*lcStore, error) {
	url, drop, err := freshDatabase(ctx, adminURL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		drop()
		return nil, err
	}
	opts := []lcpgvector.Option{lcpgvector.WithConn(pool), lcpgvector.WithEmbedder(e), lcpgvector.WithVectorDimensions(fakeDim)}
	if hnsw {
		opts = append(opts, lcpgvector.WithHNSWIndex(16, 64, "vector_cosine_ops"))
	}
	store, err := lcpgvector.New(ctx, opts...)
	if err != nil {
		pool.Close()
		drop()
		return nil, fmt.Errorf("langchaingo store: %w", err)
	}
	l := &lcStore{store: store, pool: pool, drop: drop}
	start := time.Now()
	var batch []schema.Document
	for i := range n {
		batch = append(batch, schema.Document{PageContent: s.passage(i),
			Metadata: map[string]any{"path": fmt.Sprintf("doc%07d.md", i/chunksPerDoc), "chunk": i % chunksPerDoc}})
		if len(batch) == 500 || i == n-1 {
			if _, err := store.AddDocuments(ctx, batch); err != nil {
				l.Close()
				return nil, fmt.Errorf("langchaingo AddDocuments: %w", err)
			}
			l.loaded += len(batch)
			batch = batch[:0]
			if budget > 0 && time.Since(start) > budget {
				break
			}
		}
	}
	l.load = time.Since(start)
	return l, nil
}
