package retrieve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modelclient"
	"github.com/docent-search/docent/internal/modeltest"
	"github.com/docent-search/docent/internal/retrieve"
)

func TestRerankerReordersAndFallsBack(t *testing.T) {
	t.Parallel()
	b := setup(t, corpus)
	ctx := context.Background()
	q := retrieve.Query{Text: "taxi receipt coffee"}
	fused, err := b.searcher.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(fused) < 2 || fused[0].Path != "travel.md" {
		t.Fatalf("fused order %v: the test needs travel.md first", paths(fused))
	}
	for _, api := range []string{"tei", "cohere"} {
		t.Run(api, func(t *testing.T) {
			srv := modeltest.New(t)
			// A model that prefers the kitchen rules: the reranked order must follow it.
			srv.Rerank = func(_, doc string) float64 {
				if strings.Contains(doc, "coffee") {
					return 0.9
				}
				return 0.1
			}
			url := srv.URL
			if api == "cohere" {
				url += "/v1"
			}
			cfg, err := config.Load([]string{"--reranker", api, "--rerank-url", url, "--rerank-model", "bge-reranker", "--rerank-timeout", "2s"})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s := &retrieve.Searcher{Pool: b.pool, Embedder: b.searcher.Embedder}
			s.Reranker = retrieve.NewReranker(cfg)
			s.Reranker.Log = slog.New(slog.NewTextHandler(&logs, nil))
			s.Reranker.Policy = modelclient.Policy{Attempts: 2, Timeout: 2 * time.Second, Base: time.Millisecond, Max: time.Millisecond}

			rs, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != len(fused) || rs[0].Path != "kitchen.txt" || rs[1].Path != "travel.md" {
				t.Fatalf("reranked order %v, want kitchen.txt, then the fused order", paths(rs))
			}
			reqs := srv.Requests()
			var body struct {
				Model     string
				Query     string
				Texts     []string
				Documents []string
			}
			if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
				t.Fatal(err)
			}
			texts := body.Texts
			if api == "cohere" {
				texts = body.Documents
				if body.Model != "bge-reranker" {
					t.Errorf("model %q sent, want bge-reranker", body.Model)
				}
			}
			if body.Query != q.Text || len(texts) != len(fused) {
				t.Errorf("request %+v: want the query and %d passages", body, len(fused))
			}

			// One failure is retried; a server that keeps failing leaves the fused order.
			path := "/rerank"
			if api == "cohere" {
				path = "/v1/rerank"
			}
			srv.Fail(path, 503)
			if rs, err := s.Search(ctx, q); err != nil || rs[0].Path != "kitchen.txt" {
				t.Fatalf("after one 503: %v, %v; want the retry to rerank", paths(rs), err)
			}
			srv.Fail(path, 500, 500, modeltest.Malformed)
			for range 2 {
				rs, err := s.Search(ctx, q)
				if err != nil {
					t.Fatalf("a failed reranker failed the search: %v", err)
				}
				if len(rs) != len(fused) || rs[0].Path != "travel.md" {
					t.Fatalf("with the reranker down: %v, want the fused order %v", paths(rs), paths(fused))
				}
			}
			if n := strings.Count(logs.String(), "reranker failed"); n != 2 {
				t.Errorf("%d log lines for 2 failed reranks, want 2:\n%s", n, logs.String())
			}
		})
	}
}

func TestRerankerNeedsItsURL(t *testing.T) {
	t.Parallel()
	if _, err := config.Load([]string{"--reranker", "tei"}); err == nil || !strings.Contains(err.Error(), "DOCENT_RERANK_URL") {
		t.Fatalf("reranker without URL: %v, want an error naming DOCENT_RERANK_URL", err)
	}
	cfg, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if retrieve.NewReranker(cfg) != nil {
		t.Fatal("the reranker is on by default")
	}
}

// TestRerankerKeyStaysWithItsProvider: the model servers' key reaches a reranker only on their
// host; a reranker elsewhere gets its own key or none.
func TestRerankerKeyStaysWithItsProvider(t *testing.T) {
	t.Parallel()
	srv := modeltest.New(t)
	srv.Rerank = func(_, _ string) float64 { return 0.5 }
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"another host", map[string]string{"DOCENT_API_KEY": "sk-llm", "DOCENT_LLM_URL": "https://llm.example.com/v1"}, ""},
		{"the LLM's host", map[string]string{"DOCENT_API_KEY": "sk-llm", "DOCENT_LLM_URL": srv.URL + "/v1"}, "Bearer sk-llm"},
		{"the embedder's host", map[string]string{"DOCENT_API_KEY": "sk-emb", "DOCENT_EMBED_URL": srv.URL}, "Bearer sk-emb"},
		{"its own key", map[string]string{"DOCENT_API_KEY": "sk-llm", "DOCENT_RERANK_API_KEY": "rk-own", "DOCENT_LLM_URL": srv.URL}, "Bearer rk-own"},
	} {
		env := map[string]string{"DOCENT_RERANKER": "tei", "DOCENT_RERANK_URL": srv.URL}
		for k, v := range tc.env {
			env[k] = v
		}
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		cfg, err := config.Bind(fs, func(k string) string { return env[k] })()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		before := len(srv.Requests())
		if _, err := retrieve.NewReranker(cfg).Scores(context.Background(), "q", []string{"a"}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		reqs := srv.Requests()
		if len(reqs) != before+1 {
			t.Fatalf("%s: %d requests, want 1", tc.name, len(reqs)-before)
		}
		if got := reqs[before].Header.Get("Authorization"); got != tc.want {
			t.Errorf("%s: Authorization %q, want %q", tc.name, got, tc.want)
		}
	}
}
