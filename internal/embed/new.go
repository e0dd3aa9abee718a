package embed

import (
	"context"
	"fmt"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// New returns the embedder the configuration selects.
func New(cfg config.Config) (Embedder, error) {
	switch cfg.Embedder {
	case "local", "":
		if cfg.EmbedModel != "" && cfg.EmbedModel != LocalModel {
			return nil, fmt.Errorf("invalid DOCENT_EMBED_MODEL %q: the local embedder is %s", cfg.EmbedModel, LocalModel)
		}
		return Local{}, nil
	}
	return nil, fmt.Errorf("invalid DOCENT_EMBEDDER %q: this build supports only local", cfg.Embedder)
}

// Attach checks that e is the model the index was built with, recording it (and building the
// vector index) when the index is new. It returns postgres.ErrModelMismatch, with the fix, when
// another model built the index.
func Attach(ctx context.Context, pool *pgxpool.Pool, e Embedder) error {
	dim, err := Dimension(ctx, e)
	if err != nil {
		return err
	}
	return postgres.EnsureModel(ctx, pool, postgres.Model{Name: e.Model(), Dimension: dim})
}

// Dimension asks the embedder for one vector and returns its length.
func Dimension(ctx context.Context, e Embedder) (int, error) {
	if _, ok := e.(Local); ok {
		return LocalDimension, nil
	}
	v, err := e.EmbedQuery(ctx, "dimension probe")
	if err != nil {
		return 0, fmt.Errorf("asking embedding model %s for a test vector: %w", e.Model(), err)
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("embedding model %s returned an empty vector", e.Model())
	}
	return len(v), nil
}
