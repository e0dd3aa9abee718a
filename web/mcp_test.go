package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// withKey sends an API key on every request.
type withKey struct{ key string }

func (k withKey) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+k.key)
	return http.DefaultTransport.RoundTrip(r)
}

// mcpSession connects the SDK's client to Docent's /mcp with key.
func mcpSession(t *testing.T, base, key string) *mcp.ClientSession {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	s, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: base + "/mcp",
		HTTPClient: &http.Client{Transport: withKey{key}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// call calls tool and returns its whole result as JSON text, content and structured output.
func call(t *testing.T, s *mcp.ClientSession, tool string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	return string(b), res.IsError
}

func TestMCP(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	hrKey := createKey(t, ts.URL, "bo", "hr", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})
	salesKey := createKey(t, ts.URL, "ann", "sales", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})

	t.Run("NoKeyIs401", func(t *testing.T) {
		body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
		for _, h := range []map[string]string{
			{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
			// A browser-style identity is not enough: MCP takes keys only.
			{"Content-Type": "application/json", "Accept": "application/json, text/event-stream", "X-Forwarded-User": "bo", "X-Forwarded-Groups": "hr"},
			bearer("docent_" + strings.Repeat("1", 64)),
		} {
			if status, _ := do(t, "POST", ts.URL+"/mcp", body, h); status != http.StatusUnauthorized {
				t.Errorf("MCP with %v: %d, want 401", h, status)
			}
		}
	})

	hr := mcpSession(t, ts.URL, hrKey)
	t.Run("ListsSearchAndAsk", func(t *testing.T) {
		tools, err := hr.ListTools(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"ask", "search"}) {
			t.Errorf("tools = %v", names)
		}
	})

	t.Run("SearchAndAskWithLinks", func(t *testing.T) {
		got, isErr := call(t, hr, "search", map[string]any{"query": "zygomorphic budget codeword", "k": 3, "source": "docs"})
		if isErr || !strings.Contains(got, "PERIWINKLE") || !strings.Contains(got, ts.URL+"/doc/") {
			t.Errorf("hr search: %.600s", got)
		}
		got, isErr = call(t, hr, "ask", map[string]any{"question": "What is the zygomorphic budget codeword?"})
		if isErr || !strings.Contains(got, "PERIWINKLE") || !strings.Contains(got, "]("+ts.URL+"/doc/") {
			t.Errorf("hr ask: %.600s", got)
		}
		got, isErr = call(t, hr, "search", map[string]any{"query": "taxi", "k": 1000})
		if !isErr || !strings.Contains(got, "k: want a whole number") {
			t.Errorf("k out of range: %.300s", got)
		}
	})

	t.Run("RestrictedMarkerNeverReachesAnotherGroupsKey", func(t *testing.T) {
		sales := mcpSession(t, ts.URL, salesKey)
		for _, c := range []struct {
			tool string
			args map[string]any
		}{
			{"search", map[string]any{"query": "zygomorphic budget codeword periwinkle"}},
			{"search", map[string]any{"query": "budget", "k": 100}},
			{"ask", map[string]any{"question": "What is the zygomorphic budget codeword?"}},
			{"ask", map[string]any{"question": "budget"}},
		} {
			got, _ := call(t, sales, c.tool, c.args)
			if strings.Contains(got, "PERIWINKLE") || strings.Contains(got, "budget.md") {
				t.Errorf("sales %s %v: %.400s", c.tool, c.args, got)
			}
		}
	})
}
