// Package modeltest is an in-process stand-in for model servers: it speaks the Ollama and
// OpenAI wire protocols (embeddings, chat, streaming) so tests exercise the real langchaingo
// clients without a model. It records every request and can be told to fail in the ways real
// servers do.
package modeltest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is a scripted misbehaviour for one request.
type Fault int

// Faults other than an HTTP status code.
const (
	Malformed  Fault = -1 // 200 with a body that is not JSON
	Hang       Fault = -2 // no answer until the client gives up
	WrongCount Fault = -3 // one vector too few
	WrongDim   Fault = -4 // the last vector one dimension short
)

// Request is what a client sent.
type Request struct {
	Path   string
	Header http.Header
	Body   []byte
}

// Server is the stand-in. Dim and Reply may be changed before requests arrive.
type Server struct {
	*httptest.Server
	// Dim is the embedding dimension (default 8).
	Dim int
	// Reply is the chat answer, streamed word by word.
	Reply string
	// Rerank scores a document for a query on the /rerank endpoints (default: the share of the
	// query's words the document contains).
	Rerank func(query, document string) float64

	mu       sync.Mutex
	requests []Request
	faults   map[string][]Fault
}

// New starts a stand-in server, closed when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{Dim: 8, Reply: "The answer is in the documents [1].", faults: map[string][]Fault{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/embed", s.ollamaEmbed)
	mux.HandleFunc("POST /api/chat", s.ollamaChat)
	mux.HandleFunc("POST /v1/embeddings", s.openaiEmbed)
	mux.HandleFunc("POST /v1/chat/completions", s.openaiChat)
	mux.HandleFunc("POST /rerank", s.teiRerank)
	mux.HandleFunc("POST /v1/rerank", s.cohereRerank)
	s.Server = httptest.NewServer(mux)
	tb.Cleanup(s.Close)
	return s
}

// Fail makes the next requests to path misbehave, one fault each, in order.
func (s *Server) Fail(path string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = append(s.faults[path], faults...)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Vector is the stand-in's deterministic embedding of text.
func Vector(text string, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d:%s", i, text)
		v[i] = float32(h.Sum32()%1000)/1000 - 0.5
	}
	return v
}

// begin records the request and applies any scripted fault. It returns the decoded body and
// the fault to apply after a successful computation (WrongCount, WrongDim), or false when
// the response was already written.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, into any) (Fault, bool) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	var f Fault
	if q := s.faults[r.URL.Path]; len(q) > 0 {
		f, s.faults[r.URL.Path] = q[0], q[1:]
	}
	s.mu.Unlock()
	switch {
	case f >= 400:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(f))
		fmt.Fprintf(w, `{"error": {"message": "scripted failure %d"}}`, f)
		return 0, false
	case f == Malformed:
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"embeddings": [[0.1, `)
		return 0, false
	case f == Hang:
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return 0, false
	}
	if err := json.Unmarshal(body, into); err != nil {
		http.Error(w, `{"error": "bad request JSON"}`, http.StatusBadRequest)
		return 0, false
	}
	return f, true
}

func (s *Server) vectors(texts []string, f Fault) [][]float32 {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = Vector(t, s.Dim)
	}
	switch {
	case f == WrongCount && len(out) > 0:
		out = out[:len(out)-1]
	case f == WrongDim && len(out) > 0:
		out[len(out)-1] = out[len(out)-1][:s.Dim-1]
	}
	return out
}

// input accepts a string or a list of strings, as both protocols allow.
type input []string

func (in *input) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*in = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(in))
}

// embedRequest is the body of an embedding request in either protocol.
type embedRequest struct {
	Model string `json:"model"`
	Input input  `json:"input"`
}

func (s *Server) ollamaEmbed(w http.ResponseWriter, r *http.Request) {
	var req embedRequest
	if f, ok := s.begin(w, r, &req); ok {
		writeJSON(w, map[string]any{"model": req.Model, "embeddings": s.vectors(req.Input, f)})
	}
}

func (s *Server) openaiEmbed(w http.ResponseWriter, r *http.Request) {
	var req embedRequest
	f, ok := s.begin(w, r, &req)
	if !ok {
		return
	}
	var data []map[string]any
	for i, v := range s.vectors(req.Input, f) {
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	writeJSON(w, map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

type chatRequest struct {
	Model  string `json:"model"`
	Stream bool   `json:"stream"`
}

// tokens splits the reply into word tokens that join back to it exactly.
func (s *Server) tokens() []string {
	var out []string
	for i, w := range strings.SplitAfter(s.Reply, " ") {
		if i > 0 && w == "" {
			continue
		}
		out = append(out, w)
	}
	return out
}

func (s *Server) ollamaChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if _, ok := s.begin(w, r, &req); !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	msg := func(content string, done bool) map[string]any {
		return map[string]any{"model": req.Model, "created_at": time.Now().UTC(), "done": done,
			"message": map[string]string{"role": "assistant", "content": content}}
	}
	if !req.Stream {
		enc.Encode(msg(s.Reply, true))
		return
	}
	for _, tok := range s.tokens() {
		enc.Encode(msg(tok, false))
		w.(http.Flusher).Flush()
	}
	enc.Encode(msg("", true))
}

func (s *Server) openaiChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if _, ok := s.begin(w, r, &req); !ok {
		return
	}
	if !req.Stream {
		writeJSON(w, map[string]any{"id": "c1", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": s.Reply}}}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, tok := range s.tokens() {
		b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": map[string]string{"content": tok}}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		w.(http.Flusher).Flush()
	}
	b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": req.Model,
		"choices": []map[string]any{{"index": 0, "delta": map[string]string{}, "finish_reason": "stop"}}})
	fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
}

// rerankRequest is the body of either rerank API: TEI sends texts, Cohere-style APIs documents.
type rerankRequest struct {
	Model     string   `json:"model"`
	Query     string   `json:"query"`
	Texts     []string `json:"texts"`
	Documents []string `json:"documents"`
}

func (s *Server) rerankScore(query, doc string) float64 {
	if s.Rerank != nil {
		return s.Rerank(query, doc)
	}
	words := strings.Fields(strings.ToLower(query))
	found := 0
	for _, w := range words {
		if strings.Contains(strings.ToLower(doc), w) {
			found++
		}
	}
	return float64(found) / float64(max(len(words), 1))
}

// teiRerank answers as text-embeddings-inference: [{index, score}], best first.
func (s *Server) teiRerank(w http.ResponseWriter, r *http.Request) {
	var req rerankRequest
	if _, ok := s.begin(w, r, &req); ok {
		out := []map[string]any{}
		for i, t := range req.Texts {
			out = append(out, map[string]any{"index": i, "score": s.rerankScore(req.Query, t)})
		}
		writeJSON(w, out)
	}
}

// cohereRerank answers as Cohere, Jina, vLLM and llama.cpp's server: {results: [{index,
// relevance_score}]}.
func (s *Server) cohereRerank(w http.ResponseWriter, r *http.Request) {
	var req rerankRequest
	if _, ok := s.begin(w, r, &req); ok {
		out := []map[string]any{}
		for i, t := range req.Documents {
			out = append(out, map[string]any{"index": i, "relevance_score": s.rerankScore(req.Query, t)})
		}
		writeJSON(w, map[string]any{"model": req.Model, "results": out})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
