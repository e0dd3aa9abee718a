package embedder

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modeltest"
)

// newRemote builds the configured provider against a stand-in server, with fast retries.
func newRemote(t *testing.T, provider string, batch int) (*Remote, *modeltest.Server) {
	t.Helper()
	srv := modeltest.New(t)
	url := srv.URL
	if provider == "openai" {
		url += "/v1"
	}
	cfg := config.Config{Embedder: provider, EmbedURL: url, EmbedModel: "test-model", EmbedBatch: batch,
		EmbedConcurrency: 2, EmbedTimeout: 2 * time.Second, APIKey: "sk-secret-123"}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := e.(*Remote)
	r.policy.Base, r.policy.Max = time.Millisecond, 5*time.Millisecond
	return r, srv
}

func TestRemoteRequestShape(t *testing.T) {
	t.Parallel()
	texts := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	for _, provider := range []string{"ollama", "openai"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			r, srv := newRemote(t, provider, 2)
			vecs, err := r.EmbedDocuments(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			for i, txt := range texts {
				if !reflect.DeepEqual(vecs[i], modeltest.Vector(txt, srv.Dim)) {
					t.Errorf("vector %d is not the server's vector for %q", i, txt)
				}
			}
			if r.Model() != provider+"/test-model" {
				t.Errorf("Model() = %q", r.Model())
			}
			inputs := 0
			for _, req := range srv.Requests() {
				var body struct {
					Model string          `json:"model"`
					Input json.RawMessage `json:"input"`
				}
				if err := json.Unmarshal(req.Body, &body); err != nil || body.Model != "test-model" {
					t.Errorf("request %s: model %q, err %v", req.Path, body.Model, err)
				}
				var list []string
				if json.Unmarshal(body.Input, &list) == nil {
					if len(list) > 2 {
						t.Errorf("a request carried %d texts, batch size is 2", len(list))
					}
					inputs += len(list)
				} else {
					inputs++
				}
				if provider == "openai" && req.Header.Get("Authorization") != "Bearer sk-secret-123" {
					t.Errorf("Authorization header %q", req.Header.Get("Authorization"))
				}
			}
			if inputs != len(texts) {
				t.Errorf("server received %d texts, want %d", inputs, len(texts))
			}
			if provider == "openai" && len(srv.Requests()) != 3 {
				t.Errorf("openai: %d requests for 5 texts in batches of 2, want 3", len(srv.Requests()))
			}
		})
	}
}

func TestRemoteFailures(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"ollama", "openai"} {
		path := "/api/embed"
		if provider == "openai" {
			path = "/v1/embeddings"
		}
		for _, tc := range []struct {
			name     string
			faults   []modeltest.Fault
			texts    int
			wantErr  string // empty: success
			requests int
		}{
			{"RateLimitedThenSuccess", []modeltest.Fault{429, 503}, 1, "", 3},
			{"ServerErrorEveryTime", []modeltest.Fault{500, 500, 500, 500, 500}, 1, "after 5 attempts", 5},
			{"ClientErrorIsNotRetried", []modeltest.Fault{400}, 1, "HTTP 400", 1},
			{"UnauthorizedIsNotRetried", []modeltest.Fault{401}, 1, "HTTP 401", 1},
			{"MalformedJSON", []modeltest.Fault{modeltest.Malformed}, 1, "embedding with", 1},
			{"Timeout", []modeltest.Fault{modeltest.Hang, modeltest.Hang, modeltest.Hang, modeltest.Hang, modeltest.Hang}, 1, "no answer within", 5},
		} {
			t.Run(provider+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				r, srv := newRemote(t, provider, 8)
				if tc.name == "Timeout" {
					r.policy.Timeout = 100 * time.Millisecond
				}
				srv.Fail(path, tc.faults...)
				_, err := r.EmbedDocuments(context.Background(), []string{"one"})
				switch {
				case tc.wantErr == "" && err != nil:
					t.Fatalf("error %v, want success", err)
				case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if err != nil && strings.Contains(err.Error(), "sk-secret-123") {
					t.Error("the API key appeared in an error")
				}
				if n := len(srv.Requests()); n != tc.requests {
					t.Errorf("%d requests, want %d", n, tc.requests)
				}
			})
		}
	}
}

func TestRemoteRejectsInconsistentVectors(t *testing.T) {
	t.Parallel()
	r, srv := newRemote(t, "openai", 8)
	srv.Fail("/v1/embeddings", modeltest.WrongCount)
	if _, err := r.EmbedDocuments(context.Background(), []string{"a", "b", "c"}); err == nil {
		t.Error("a response with too few vectors was accepted")
	}
	srv.Fail("/v1/embeddings", modeltest.WrongDim)
	if _, err := r.EmbedDocuments(context.Background(), []string{"a", "b", "c"}); err == nil || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("a response with a short vector: %v", err)
	}
}

func TestRemoteStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	r, srv := newRemote(t, "ollama", 8)
	srv.Fail("/api/embed", modeltest.Hang)
	// The caller gives up once the server holds its request, not after a fixed time: on a busy
	// machine a 100 ms deadline could pass before the request was even sent.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(srv.Requests()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := r.EmbedDocuments(ctx, []string{"x"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v, want the caller's cancellation", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests after the caller gave up, want 1 (no retries)", n)
	}
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  config.Config
		want string
	}{
		{config.Config{Embedder: "openai"}, "API key"},
		{config.Config{Embedder: "local", EmbedModel: "bge-small"}, "DOCENT_EMBED_MODEL"},
		{config.Config{Embedder: "word2vec"}, "DOCENT_EMBEDDER"},
	} {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v): %v, want an error naming %s", tc.cfg, err, tc.want)
		}
	}
}
