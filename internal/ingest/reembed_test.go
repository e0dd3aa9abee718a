package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/source"
)

func TestSwitchingModelsRequiresReembed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	b.write(t, "a.md", "# A\n\nAlpha text.\n\n## B\n\nBeta text.\n")
	b.write(t, "c.txt", "Gamma text.\n")
	b.run(t)

	srv := modeltest.New(t)
	srv.Dim = 16
	ollama, err := embedder.New(config.Config{Embedder: "ollama", EmbedURL: srv.URL, EmbedModel: "nomic-embed-text", EmbedBatch: 2, EmbedConcurrency: 1, EmbedTimeout: 5e9})
	if err != nil {
		t.Fatal(err)
	}
	err = embedder.Attach(ctx, b.pool, ollama)
	if !errors.Is(err, postgres.ErrModelMismatch) || !strings.Contains(err.Error(), "indexer reembed") ||
		!strings.Contains(err.Error(), embedder.LocalModel) {
		t.Fatalf("attaching another model: %v, want a mismatch naming both models and the fix", err)
	}

	// The first attempt dies on a server that keeps refusing; the second resumes.
	srv.Fail("/api/embed", 400)
	if _, err := ingest.Reembed(ctx, b.pool, ollama, 2, 0, nil); err == nil {
		t.Fatal("re-embedding through a failing server succeeded")
	}
	var progressed int
	n, err := ingest.Reembed(ctx, b.pool, ollama, 2, 0, func(p source.Progress) { progressed = p.Done })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || progressed != 3 {
		t.Errorf("re-embedded %d chunks (progress said %d), want 3", n, progressed)
	}
	var dims, nulls int
	var hasIndex bool
	err = b.pool.QueryRow(ctx, `SELECT min(vector_dims(embedding)), count(*) FILTER (WHERE embedding IS NULL),
		to_regclass('chunks_embedding_hnsw') IS NOT NULL FROM chunks`).Scan(&dims, &nulls, &hasIndex)
	if err != nil {
		t.Fatal(err)
	}
	if dims != 16 || nulls != 0 || !hasIndex {
		t.Errorf("after reembed: dimension %d, %d chunks without vectors, index %v", dims, nulls, hasIndex)
	}
	if err := embedder.Attach(ctx, b.pool, ollama); err != nil {
		t.Errorf("attaching the new model after reembed: %v", err)
	}
	if _, err := b.ix.Run(ctx, b.src); !errors.Is(err, postgres.ErrModelMismatch) {
		t.Errorf("indexing with the old model is still accepted: %v", err)
	}
	// No file was read: the documents were not touched.
	sum, err := (&ingest.Indexer{Pool: b.pool, Embedder: ollama}).Run(ctx, b.src)
	if err != nil || sum.Unchanged != 2 {
		t.Errorf("index run after reembed: %+v, %v", sum, err)
	}
}

func TestBadEmbeddingResponseFailsOnlyThatFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	srv := modeltest.New(t)
	// An index built for the stand-in's model, so the local one's record does not interfere.
	b.pool.Exec(ctx, `DELETE FROM index_model`)
	e, err := embedder.New(config.Config{Embedder: "openai", EmbedURL: srv.URL + "/v1", EmbedModel: "m", EmbedBatch: 8, EmbedConcurrency: 1, EmbedTimeout: 5e9})
	if err != nil {
		t.Fatal(err)
	}
	b.write(t, "a.md", "# A\n\nAlpha.\n")
	ix := &ingest.Indexer{Pool: b.pool, Embedder: e, Workers: 1}
	// The dimension probe passes; the file's request comes back one vector short.
	srv.Fail("/v1/embeddings", 0, modeltest.WrongCount)
	sum, err := ix.Run(ctx, b.src)
	if err != nil {
		t.Fatalf("a bad response for one file stopped the run: %v", err)
	}
	if sum.Failed != 1 || !strings.Contains(b.outcomes(t)["a.md"], "failed: embedding failed") {
		t.Fatalf("summary %+v, outcome %q", sum, b.outcomes(t)["a.md"])
	}
	var chunks int
	b.pool.QueryRow(ctx, `SELECT count(*) FROM chunks`).Scan(&chunks)
	if chunks != 0 {
		t.Errorf("%d chunks stored from an inconsistent response", chunks)
	}
	// A server refusing every request is the run's failure, not each file's.
	b.write(t, "b.md", "# B\n\nBeta.\n")
	srv.Fail("/v1/embeddings", 0, 401)
	if _, err := ix.Run(ctx, b.src); err == nil {
		t.Error("an unauthorized embedding server did not stop the run")
	}
}
