package retrieve

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modelclient"
)

// Reranker scores passages for a query with a cross-encoder on a model server: slower than
// the fused ranking, and better where a model reads the question and passage together.
type Reranker struct {
	// API is "tei" (text-embeddings-inference: POST /rerank {query, texts} → [{index, score}])
	// or "cohere" (Cohere, Jina, vLLM and llama.cpp's server: POST /rerank {model, query,
	// documents} → {results: [{index, relevance_score}]}).
	API string
	// URL is the server's base: /rerank is appended (e.g. http://tei:8080, or
	// http://vllm:8000/v1 for /v1/rerank).
	URL    string
	Model  string
	APIKey string
	Policy modelclient.Policy
	// Candidates is how many of the fused ranking's top passages are reranked (default 20).
	Candidates int
	Log        *slog.Logger
}

// NewReranker returns the reranker the configuration selects, or nil when DOCENT_RERANKER
// is off.
func NewReranker(cfg config.Config) *Reranker {
	if cfg.Reranker == "" || cfg.Reranker == "off" {
		return nil
	}
	return &Reranker{API: cfg.Reranker, URL: cfg.RerankURL, Model: cfg.RerankModel, APIKey: rerankKey(cfg),
		Policy: modelclient.Policy{Timeout: cfg.RerankTimeout, Attempts: 2}, Candidates: cfg.RerankCandidates}
}

// rerankKey is the bearer token for the reranker: DOCENT_RERANK_API_KEY, or else the model
// servers' DOCENT_API_KEY when the reranker runs on the same host as one of them. A reranker is
// often another provider than the embedder or the LLM (Cohere or Jina beside OpenAI), and it
// must not receive a key that was issued for someone else.
func rerankKey(cfg config.Config) string {
	if cfg.RerankAPIKey != "" {
		return cfg.RerankAPIKey
	}
	host := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		return strings.ToLower(u.Host)
	}
	h := host(cfg.RerankURL)
	if h != "" && (h == host(cfg.EmbedURL) || h == host(cfg.LLMURL)) {
		return cfg.APIKey
	}
	return ""
}

// Scores returns a relevance score for each text, in the texts' order.
func (r *Reranker) Scores(ctx context.Context, query string, texts []string) ([]float64, error) {
	var body any
	switch r.API {
	case "tei":
		body = map[string]any{"query": query, "texts": texts, "truncate": true}
	default:
		body = map[string]any{"model": r.Model, "query": query, "documents": texts, "top_n": len(texts)}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var scores []float64
	err = modelclient.Do(ctx, r.Policy, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(r.URL, "/")+"/rerank", bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if r.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+r.APIKey)
		}
		resp, err := modelclient.HTTPClient().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s", bytes.TrimSpace(data[:min(len(data), 300)]))
		}
		scores, err = parseScores(r.API, data, len(texts))
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("reranking with %s at %s: %w", r.API, r.URL, err)
	}
	return scores, nil
}

// parseScores reads either API's answer into one score per text; a text the answer leaves out
// (a server that applied its own top_n) ranks last.
func parseScores(api string, data []byte, n int) ([]float64, error) {
	type item struct {
		Index          *int     `json:"index"`
		Score          *float64 `json:"score"`
		RelevanceScore *float64 `json:"relevance_score"`
	}
	var items []item
	if api == "tei" {
		if err := json.Unmarshal(data, &items); err != nil {
			return nil, fmt.Errorf("the answer is not a list of {index, score}: %w", err)
		}
	} else {
		var wrap struct{ Results []item }
		if err := json.Unmarshal(data, &wrap); err != nil || wrap.Results == nil {
			return nil, fmt.Errorf("the answer has no results list of {index, relevance_score}: %v", err)
		}
		items = wrap.Results
	}
	scores := make([]float64, n)
	seen := make([]bool, n)
	for _, it := range items {
		s := cmp.Or(it.RelevanceScore, it.Score)
		if it.Index == nil || s == nil || *it.Index < 0 || *it.Index >= n || seen[*it.Index] {
			return nil, fmt.Errorf("the answer has an item without a valid index and score")
		}
		scores[*it.Index], seen[*it.Index] = *s, true
	}
	lowest := math.Inf(1)
	for i, s := range scores {
		if seen[i] {
			lowest = min(lowest, s)
		}
	}
	for i := range scores {
		if !seen[i] {
			scores[i] = lowest - 1
		}
	}
	return scores, nil
}

// rerank reorders the top of results by the reranker's scores and returns the first limit. A
// failed reranker leaves the fused order, with a log line: search must not fail with it.
func (r *Reranker) rerank(ctx context.Context, query string, results []Result, limit int) []Result {
	top := results[:min(len(results), cmp.Or(r.Candidates, 20))]
	if len(top) < 2 {
		return results[:min(len(results), limit)]
	}
	texts := make([]string, len(top))
	for i, res := range top {
		texts[i] = strings.TrimSpace(res.Title + "\n" + res.Heading + "\n" + res.Text)
	}
	start := time.Now()
	scores, err := r.Scores(ctx, query, texts)
	if err != nil {
		cmp.Or(r.Log, slog.Default()).Warn("reranker failed: keeping the fused order", "err", err, "after", time.Since(start).Round(time.Millisecond))
		return results[:min(len(results), limit)]
	}
	order := make([]int, len(top))
	for i := range order {
		order[i] = i
	}
	// Stable: equal scores keep the fused order.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
	out := make([]Result, 0, min(len(results), limit))
	for _, i := range order {
		out = append(out, top[i])
	}
	out = append(out, results[len(top):]...)
	return out[:min(len(out), limit)]
}
