package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/docent-search/docent/internal/answer"
)

// mcpHandler serves the Model Context Protocol (streamable HTTP) at /mcp, for assistants in
// IDEs and chat clients. It is stateless: each request gets a server bound to that request's
// user, authenticated by an API key, so no MCP session can outlive or change whose groups it
// searches with. Searches and answers go through the same handlers' code as the JSON API, so
// the access filter is retrieve's SQL, not a copy. Its tool calls, not the whole endpoint, are
// under admission control: initialize and tools/list cost nothing, and a refused call tells
// the assistant, in the tool's error, to try again shortly.
func (s *Server) mcpHandler() http.Handler {
	schemas := mcp.NewSchemaCache()
	h := mcp.NewStreamableHTTPHandler(func(r *http.Request) *mcp.Server { return s.mcpServer(r, schemas) },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true,
			// Docent's own Host allow-list (hosts.go) already guards against DNS rebinding, and
			// the SDK's would refuse a proxy on this machine that passes the public Host on.
			DisableLocalhostProtection: true, MaxRequestBodyBytes: 64 << 10})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userFrom(r.Context()).Key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="docent"`)
			writeJSON(w, http.StatusUnauthorized, apiError{"MCP needs a personal API key: Authorization: Bearer docent_… (create one at /keys)"})
			return
		}
		h.ServeHTTP(w, r)
	})
}

type mcpSearchIn struct {
	Query  string `json:"query" jsonschema:"what to search for"`
	K      int    `json:"k,omitempty" jsonschema:"how many passages to return, 1 to 100 (default 10)"`
	Source string `json:"source,omitempty" jsonschema:"only this source (as listed by Docent), empty for all"`
}

type mcpPassage struct {
	Title    string  `json:"title"`
	Source   string  `json:"source"`
	Document string  `json:"document"`
	Heading  string  `json:"heading,omitempty"`
	Page     int     `json:"page,omitempty"`
	OCR      bool    `json:"ocr,omitempty"`
	Snippet  string  `json:"snippet"`
	Score    float64 `json:"score"`
	URL      string  `json:"url"`
}

type mcpSearchOut struct {
	Results []mcpPassage `json:"results"`
}

type mcpAskIn struct {
	Question string `json:"question" jsonschema:"the question, in plain words"`
}

type mcpCitation struct {
	N        int    `json:"n"`
	Title    string `json:"title"`
	Source   string `json:"source"`
	Document string `json:"document"`
	URL      string `json:"url"`
}

type mcpAskOut struct {
	Answer    string        `json:"answer"`
	Found     bool          `json:"found"`
	Citations []mcpCitation `json:"citations"`
	// Curated is the answer an admin wrote for this question, when one matches and the reader
	// may see it: shown first, as in the page.
	Curated *answer.Curated `json:"curated"`
}

// mcpServer is the MCP server of one request: tools search and ask as r's user.
func (s *Server) mcpServer(r *http.Request, schemas *mcp.SchemaCache) *mcp.Server {
	srv := mcp.NewServer(&mcp.Implementation{Name: "docent", Title: "Docent", Version: "1"}, &mcp.ServerOptions{SchemaCache: schemas,
		Instructions: "Docent searches and answers from the organisation's documents the signed-in user may read. Cite the returned URLs."})
	base := s.baseURL(r)
	mcp.AddTool(srv, &mcp.Tool{Name: "search", Description: "Search the organisation's documents; returns passages with links."},
		func(ctx context.Context, _ *mcp.CallToolRequest, in mcpSearchIn) (*mcp.CallToolResult, mcpSearchOut, error) {
			// Checked here as well as by runSearch, to name the tool's argument, not the API's q.
			if _, err := textParams(url.Values{"query": {in.Query}}, "query"); err != nil {
				return nil, mcpSearchOut{}, s.toolError("search", err)
			}
			q := url.Values{"q": {in.Query}}
			if in.K != 0 {
				q.Set("k", strconv.Itoa(in.K))
			}
			if in.Source != "" {
				q.Set("source", in.Source)
			}
			release, err := s.admission.acquire(ctx)
			if err != nil {
				return nil, mcpSearchOut{}, s.toolError("search", err)
			}
			defer release()
			req := r.Clone(ctx)
			req.URL.RawQuery = q.Encode()
			res, _, err := s.runSearch(req)
			if err != nil {
				return nil, mcpSearchOut{}, s.toolError("search", err)
			}
			out := mcpSearchOut{Results: []mcpPassage{}}
			for _, x := range res {
				out.Results = append(out.Results, mcpPassage{Title: x.Title, Source: x.Source, Document: x.Document, Heading: x.Heading,
					Page: x.Page, OCR: x.OCR, Snippet: x.Snippet, Score: x.Score, URL: base + x.URL})
			}
			return nil, out, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "ask", Description: "Answer a question from the organisation's documents, citing them as links."},
		func(ctx context.Context, _ *mcp.CallToolRequest, in mcpAskIn) (*mcp.CallToolResult, mcpAskOut, error) {
			if in.Question = question(in.Question); in.Question == "" || len(in.Question) > maxQuestion {
				return nil, mcpAskOut{}, fmt.Errorf("question: want 1 to %d bytes", maxQuestion)
			}
			if err := checkText("question", in.Question); err != nil {
				return nil, mcpAskOut{}, err
			}
			release, err := s.admission.acquire(ctx)
			if err != nil {
				return nil, mcpAskOut{}, s.toolError("answer", err)
			}
			defer release()
			a, err := s.answer(r.WithContext(ctx), in.Question, "", nil, nil)
			resp := a.Response
			if err != nil {
				return nil, mcpAskOut{}, s.toolError("answer", err)
			}
			out := mcpAskOut{Answer: resp.Answer, Found: resp.Found, Citations: []mcpCitation{}, Curated: resp.Curated}
			text := resp.Answer
			if c := resp.Curated; c != nil {
				text = fmt.Sprintf("Curated answer · %s · reviewed %s:\n%s\n\nGenerated answer:\n%s", c.Owner, c.Reviewed, c.Answer, resp.Answer)
			}
			if len(resp.Citations) > 0 {
				text += "\n\nSources:"
			}
			for _, c := range resp.Citations {
				link := base + c.URL
				out.Citations = append(out.Citations, mcpCitation{N: c.N, Title: c.Title, Source: c.Source, Document: c.Document, URL: link})
				text += fmt.Sprintf("\n[%d] [%s](%s)", c.N, c.Title, link)
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, out, nil
		})
	return srv
}

// toolError is what a failed tool call tells the assistant: bad input in full, else no internals.
func (s *Server) toolError(tool string, err error) error {
	_, msg, told := classify(err)
	if !told {
		s.Log.Error("MCP tool failed", "tool", tool, "err", err)
		msg = "the " + tool + " failed: " + msg
	}
	return errors.New(msg)
}
