package embedder

import (
	"cmp"
	"context"
	"fmt"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modelclient"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/wordvec"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tmc/langchaingo/llms/openai"
)

// Default models when DOCENT_EMBED_MODEL is unset.
const (
	DefaultLocalModel  = LocalV3Model
	DefaultOllamaModel = "nomic-embed-text"
	DefaultOpenAIModel = "text-embedding-3-small"
)

// New returns the embedder the configuration selects.
func New(cfg config.Config) (Embedder, error) {
	policy := modelclient.Policy{Timeout: cfg.EmbedTimeout}
	remote := func(provider, model string, c client) *Remote {
		return &Remote{model: provider + "/" + model, client: c, batch: max(cfg.EmbedBatch, 1),
			concurrency: max(cfg.EmbedConcurrency, 1), policy: policy}
	}
	switch cfg.Embedder {
	case "local", "":
		switch cmp.Or(cfg.EmbedModel, DefaultLocalModel) {
		case LocalModel:
			return Local{}, nil
		case LocalV3Model:
			e, err := NewLocalV3(cmp.Or(cfg.WordVectors, wordvec.DefaultPath))
			if err != nil {
				return nil, fmt.Errorf("the built-in embedder %s needs its word vectors: %w; or set DOCENT_EMBED_MODEL=%s, which needs none (for a new index only: an index keeps the model it was built with)", LocalV3Model, err, LocalModel)
			}
			return e, nil
		}
		return nil, fmt.Errorf("invalid DOCENT_EMBED_MODEL %q: the local embedder is %s or %s (set DOCENT_EMBEDDER=ollama or openai to use another model)", cfg.EmbedModel, LocalV3Model, LocalModel)
	case "ollama":
		model := cmp.Or(cfg.EmbedModel, DefaultOllamaModel)
		llm, err := modelclient.Ollama(cfg.EmbedURL, model)
		if err != nil {
			return nil, err
		}
		return remote("ollama", model, llm), nil
	case "openai":
		model := cmp.Or(cfg.EmbedModel, DefaultOpenAIModel)
		llm, err := modelclient.OpenAI(cfg.EmbedURL, cfg.APIKey, openai.WithEmbeddingModel(model))
		if err != nil {
			return nil, err
		}
		return remote("openai", model, llm), nil
	}
	return nil, fmt.Errorf("invalid DOCENT_EMBEDDER %q: want local, ollama or openai", cfg.Embedder)
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
	switch l := e.(type) {
	case Local:
		return LocalDimension, nil
	case *LocalV3:
		return l.Dimension(), nil
	}
	v, err := e.EmbedQuery(ctx, "dimension probe")
	if err != nil {
		return 0, fmt.Errorf("asking embedding model %s for a test vector: %w", e.Model(), err)
	}
	return len(v), nil
}
