package embedder

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/docent-search/docent/internal/modelclient"
	"golang.org/x/sync/errgroup"
)

// ErrInconsistent marks a server response whose vectors do not match the request: too few or
// too many, or of another dimension.
var ErrInconsistent = errors.New("inconsistent embedding response")

// client is what langchaingo's Ollama and OpenAI LLMs offer for embeddings.
type client interface {
	CreateEmbedding(ctx context.Context, texts []string) ([][]float32, error)
}

// Remote embeds through a model server: texts go in batches, a bounded number at once, each
// request retried on 429, 5xx and connection errors. A response with the wrong number of
// vectors or a different dimension is an error, so nothing inconsistent is ever stored.
type Remote struct {
	model       string
	client      client
	batch       int
	concurrency int
	policy      modelclient.Policy

	mu  sync.Mutex
	dim int // the dimension of the first vector seen
}

// Model implements Embedder.
func (r *Remote) Model() string { return r.model }

// EmbedDocuments implements Embedder.
func (r *Remote) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.concurrency)
	for lo := 0; lo < len(texts); lo += r.batch {
		hi := min(lo+r.batch, len(texts))
		g.Go(func() error {
			vecs, err := r.embedBatch(ctx, texts[lo:hi])
			copy(out[lo:hi], vecs)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// EmbedQuery implements Embedder.
func (r *Remote) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	vecs, err := r.embedBatch(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

func (r *Remote) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	var vecs [][]float32
	err := modelclient.Do(ctx, r.policy, func(ctx context.Context) error {
		var err error
		vecs, err = r.client.CreateEmbedding(ctx, texts)
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("embedding with %s: %w", r.model, err)
	}
	if len(vecs) != len(texts) {
		return nil, fmt.Errorf("embedding with %s: %w: %d vectors for %d texts", r.model, ErrInconsistent, len(vecs), len(texts))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range vecs {
		if r.dim == 0 {
			r.dim = len(v)
		}
		if len(v) == 0 || len(v) != r.dim {
			return nil, fmt.Errorf("embedding with %s: %w: a vector of dimension %d, earlier ones had %d", r.model, ErrInconsistent, len(v), r.dim)
		}
	}
	return vecs, nil
}
