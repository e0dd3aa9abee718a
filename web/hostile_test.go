package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConversationAfterLosingAGroup: ann, in HR, gets an answer citing the HR page, then
// leaves HR. Her conversation, reopened (API and page), continued, rated and shared, never
// shows her the HR page or its text again, and the follow-up's prompt to the model holds
// neither: a conversation keeps her questions, not what she could once read.
func TestConversationAfterLosingAGroup(t *testing.T) {
	t.Parallel()
	ts, llm := shareServer(t, citesBoth)
	status, body := do(t, "POST", ts.URL+"/api/ask", `{"question": "is a taxi home after a client dinner reimbursed?"}`, as("ann", "staff,hr"))
	var a struct {
		Conversation string
		Citations    []struct{ Document string }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || len(a.Citations) != 2 {
		t.Fatalf("ann's answer in HR: %d %s; want both pages cited", status, body)
	}
	staff := as("ann", "staff")
	leaks := func(what, body string) {
		t.Helper()
		for _, leak := range []string{"LIMO-7", "hr/taxis.md", "Executive taxis"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s after ann left HR shows %q: %.600s", what, leak, body)
			}
		}
	}
	status, body = do(t, "GET", ts.URL+"/api/conversations/"+a.Conversation, "", staff)
	if status != http.StatusOK || !strings.Contains(body, `"withheld":true`) {
		t.Errorf("reopening through the API: %d %.400s; want the answer withheld", status, body)
	}
	leaks("the conversation through the API", body)
	_, body = do(t, "GET", ts.URL+"/?c="+a.Conversation, "", staff)
	leaks("the reopened page", body)

	before := len(llm.Requests())
	status, body = do(t, "POST", ts.URL+"/api/ask", `{"question": "and which code do I book it with?", "conversation": "`+a.Conversation+`"}`, staff)
	if status != http.StatusOK {
		t.Fatalf("the follow-up: %d %s", status, body)
	}
	for _, req := range llm.Requests()[before:] {
		if strings.Contains(string(req.Body), "LIMO-7") || strings.Contains(string(req.Body), "Executive") {
			t.Errorf("the follow-up's prompt holds the HR page: %.600s", req.Body)
		}
	}
	if status, body = do(t, "POST", ts.URL+"/api/feedback", `{"conversation": "`+a.Conversation+`", "turn": 1, "rating": "down"}`, staff); status != http.StatusCreated {
		t.Errorf("rating her own earlier answer: %d %s", status, body)
	}
	leaks("rating the earlier answer", body)
	link := shareTurn(t, ts.URL, a.Conversation, 1, staff)
	_, body = do(t, "GET", ts.URL+"/api"+link, "", staff)
	leaks("the shared link to the earlier answer", body)
	_, body = do(t, "GET", ts.URL+link, "", staff)
	leaks("the shared page of the earlier answer", body)
}

// TestHostileJSONBodiesNameTheField sends every JSON route's every text field a NUL, bytes
// that are not UTF-8 (which encoding/json quietly turned into U+FFFD and stored), a number,
// and the field given twice (of which encoding/json quietly kept the last, so what a proxy or
// an audit read was not what Docent acted on); and each route a nested, a huge and a non-object
// body. Each is a 4xx naming the field where there is one, never a 5xx.
func TestHostileJSONBodiesNameTheField(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	ann := as("ann", "staff")
	conv, _ := askAs(t, ts.URL, "ann", answerable, "")
	id := createCurated(t, ts.URL, `{"question": "q", "answer": "a", "owner": "o", "review_by": "2099-01-01"}`)
	curatedBody := func(field string) string {
		in := map[string]string{"question": `"q"`, "answer": `"a"`, "owner": `"o"`, "review_by": `"2099-01-01"`, "groups": `["staff"]`,
			"pinned": `[{"source": "docs", "document": "travel.md"}]`}
		switch field {
		case "groups":
			in["groups"] = `["staff", V]`
		case "pinned.source":
			in["pinned"] = `[{"source": V, "document": "travel.md"}]`
		case "pinned.document":
			in["pinned"] = `[{"source": "docs", "document": V}]`
		default:
			in[field] = "V"
		}
		var parts []string
		for k, v := range in {
			parts = append(parts, `"`+k+`": `+v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	type route struct {
		method, path string
		who          map[string]string
		// fields maps each text field to a body with V where its value goes.
		fields map[string]string
	}
	routes := []route{
		{"POST", "/api/ask", ann, map[string]string{"question": `{"question": V}`, "conversation": `{"question": "taxi", "conversation": V}`}},
		{"POST", "/api/feedback", ann, map[string]string{
			"conversation": `{"conversation": V, "turn": 1, "rating": "up"}`,
			"rating":       `{"conversation": "` + conv + `", "turn": 1, "rating": V}`,
			"reason":       `{"conversation": "` + conv + `", "turn": 1, "rating": "up", "reason": V}`,
			"comment":      `{"conversation": "` + conv + `", "turn": 1, "rating": "up", "comment": V}`}},
		{"POST", "/api/share", ann, map[string]string{"conversation": `{"conversation": V, "turn": 1}`}},
		{"POST", "/api/insights/gaps/1", curatedAdmin, map[string]string{
			"status":              `{"status": V}`,
			"owner":               `{"status": "assigned", "owner": V}`,
			"resolution.kind":     `{"status": "resolved", "resolution": {"kind": V, "source": "docs", "document": "travel.md"}}`,
			"resolution.source":   `{"status": "resolved", "resolution": {"kind": "document", "source": V, "document": "travel.md"}}`,
			"resolution.document": `{"status": "resolved", "resolution": {"kind": "document", "source": "docs", "document": V}}`}},
	}
	for _, path := range []string{"/api/curated", "/api/curated/" + itoa(id)} {
		method := map[bool]string{true: "POST", false: "PUT"}[path == "/api/curated"]
		fields := map[string]string{}
		for _, f := range []string{"question", "answer", "owner", "review_by", "groups", "pinned.source", "pinned.document"} {
			fields[f] = curatedBody(f)
		}
		routes = append(routes, route{method, path, curatedAdmin, fields})
	}
	for _, rt := range routes {
		for field, tmpl := range rt.fields {
			name := field[strings.LastIndexByte(field, '.')+1:]
			top, _, _ := strings.Cut(field, ".")
			for _, c := range []struct{ value, want string }{
				{`"a\u0000b"`, ": must"},
				{"\"a\xffb\"", ": must be valid UTF-8"},
				{`5`, ""},
				{`"a", "` + name + `": "a"`, ": given twice"},
			} {
				if field == "groups" && strings.Contains(c.value, ",") {
					continue // within a list: no key to give twice
				}
				body := strings.Replace(tmpl, "V", c.value, 1)
				status, resp := do(t, rt.method, ts.URL+rt.path, body, rt.who)
				// A NUL in a pin is named by the list ("pinned: must ...").
				named := strings.Contains(resp, field+c.want) || strings.Contains(resp, top+c.want)
				if status < 400 || status >= 500 || !named {
					t.Errorf("%s %s %q: %d %.300s; want a 4xx saying %q", rt.method, rt.path, body, status, resp, c.want)
				}
			}
		}
		for _, body := range []string{
			strings.Repeat("[", 30000) + strings.Repeat("]", 30000),
			`{"question": "` + strings.Repeat("a", 1<<20) + `"}`,
			`[` + strings.Repeat(`1,`, 1<<19) + `1]`,
			`null`, `[]`, `"x"`, "",
		} {
			status, resp := do(t, rt.method, ts.URL+rt.path, body, rt.who)
			if status < 400 || status >= 500 {
				t.Errorf("%s %s %.60q…: %d %.300s; want a 4xx", rt.method, rt.path, body, status, resp)
			}
		}
	}
}

// TestMCPRefusalsAreJSON: an assistant whose key is unknown, or whose request is too large,
// was refused with Docent's HTML error page; it gets the JSON error the API gives. Bad tool
// arguments (a NUL, a wrong type, a nesting too deep) are the tool's error naming the
// argument, never a 5xx.
func TestMCPRefusalsAreJSON(t *testing.T) {
	t.Parallel()
	ts := setupWith(t, proxied())
	key := createKey(t, ts.URL, "bo", "staff", url.Values{"name": {"ide"}, "expires": {"30d"}, "scope": {"read"}})
	rpc := func(tool, args string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `}}`
	}
	headers := func(key string) map[string]string {
		h := bearer(key)
		h["Content-Type"], h["Accept"] = "application/json", "application/json, text/event-stream"
		return h
	}
	for _, c := range []struct {
		key, body string
		status    int
		want      string
	}{
		{"docent_" + strings.Repeat("1", 64), rpc("ask", `{"question": "taxi"}`), http.StatusUnauthorized, "Invalid API key"},
		{key, rpc("ask", `{"question": "`+strings.Repeat("a", 1<<20)+`"}`), http.StatusBadRequest, "request body"},
		{key, rpc("ask", `{"question": "taxi\u0000"}`), http.StatusOK, `"isError":true`},
		{key, rpc("ask", `{"question": 5}`), http.StatusOK, `/properties/question`},
		{key, rpc("search", `{"query": "taxi", "source": "a\u0000"}`), http.StatusOK, `source: must`},
		// The search tool's argument is query, not the API's q.
		{key, rpc("search", `{"query": "taxi\u0000"}`), http.StatusOK, `query: must be valid UTF-8 text without NUL`},
		{key, rpc("search", `{"query": "`+strings.Repeat("taxi ", 1000)+`"}`), http.StatusOK, `query: at most 4000 bytes`},
		{key, rpc("search", `{"query": "taxi", "k": 1e300}`), http.StatusOK, `mcpSearchIn.k`},
		{key, rpc("ask", strings.Repeat("[", 30000)+strings.Repeat("]", 30000)), http.StatusBadRequest, "nesting depth"},
	} {
		status, body := do(t, "POST", ts.URL+"/mcp", c.body, headers(c.key))
		if status != c.status || !strings.Contains(body, c.want) || strings.Contains(body, "<html") {
			t.Errorf("MCP %.80q: %d %.300s; want %d saying %q, not a page", c.body, status, body, c.status, c.want)
		}
	}
}
