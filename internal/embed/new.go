package embed

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modelclient"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
)

// Defaults for the model servers when DOCENT_EMBED_MODEL / DOCENT_EMBED_URL are unset.
const (
	DefaultOllamaModel = "nomic-embed-text"
	DefaultOllamaURL   = "http://localhost:11434"
	DefaultOpenAIModel = "text-embedding-3-small"
	DefaultOpenAIURL   = "https://api.openai.com/v1"
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
		if cfg.EmbedModel != "" && cfg.EmbedModel != LocalModel {
			return nil, fmt.Errorf("invalid DOCENT_EMBED_MODEL %q: the local embedder is %s (set DOCENT_EMBEDDER=ollama or openai to use another model)", cfg.EmbedModel, LocalModel)
		}
		return Local{}, nil
	case "ollama":
		model := cmp.Or(cfg.EmbedModel, DefaultOllamaModel)
		llm, err := ollama.New(ollama.WithModel(model), ollama.WithServerURL(cmp.Or(cfg.EmbedURL, DefaultOllamaURL)),
			ollama.WithHTTPClient(modelclient.HTTPClient()))
		if err != nil {
			return nil, fmt.Errorf("configuring Ollama embeddings (DOCENT_EMBED_URL): %w", err)
		}
		return remote("ollama", model, llm), nil
	case "openai":
		model := cmp.Or(cfg.EmbedModel, DefaultOpenAIModel)
		llm, err := NewOpenAI(cfg.EmbedURL, cfg.APIKey, openai.WithEmbeddingModel(model))
		if err != nil {
			return nil, err
		}
		return remote("openai", model, llm), nil
	}
	return nil, fmt.Errorf("invalid DOCENT_EMBEDDER %q: want local, ollama or openai", cfg.Embedder)
}

// NewOpenAI opens an OpenAI or OpenAI-compatible client. OpenAI itself needs a key; a local
// compatible server (vLLM, llama.cpp, LM Studio…) usually does not, so a placeholder is sent.
func NewOpenAI(baseURL, apiKey string, opts ...openai.Option) (*openai.LLM, error) {
	baseURL = cmp.Or(baseURL, DefaultOpenAIURL)
	if apiKey == "" {
		if strings.Contains(baseURL, "api.openai.com") {
			return nil, fmt.Errorf("OpenAI needs an API key: set DOCENT_API_KEY (or OPENAI_API_KEY)")
		}
		apiKey = "no-key"
	}
	opts = append(opts, openai.WithBaseURL(baseURL), openai.WithToken(apiKey), openai.WithHTTPClient(modelclient.HTTPClient()))
	llm, err := openai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring the OpenAI-compatible client for %s: %w", baseURL, err)
	}
	return llm, nil
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
	return len(v), nil
}
