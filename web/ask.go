package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/querylog"
)

// maxQuestion is the longest question or search, in bytes, the API accepts and the forms allow:
// beyond it retrieval would read only the first 4 KB anyway.
const maxQuestion = 4000

// maxBody bounds the body of a JSON request or a submitted form: the largest, an admin's
// source form with its rules, is a few kilobytes.
const maxBody = 64 << 10

// ask is the home page: the question box and, after a question, the answer and its sources.
func (s *Server) ask(w http.ResponseWriter, r *http.Request) {
	p, err := textParams(r.URL.Query(), "q", "c", "rated")
	if err != nil {
		s.error(w, r, err)
		return
	}
	// The box shows the question as typed (a zero-width non-joiner is part of written Persian);
	// it is asked as retrieval reads it (question).
	m := askModel{page: s.pageFor(r, "Ask", "ask"), Question: strings.TrimSpace(p["q"]), Conversation: p["c"], Rated: p["rated"]}
	q := question(p["q"])
	status := http.StatusOK
	// A question linked from another site is shown in the box, not asked: asking would record
	// it in the reader's conversations (and spend their rate limit) without their intent.
	m.Linked = q != "" && !sameOrigin(r)
	if q != "" && !m.Linked {
		m.Asked = true
		a, err := s.answer(r, q, m.Conversation, nil, nil)
		if err != nil {
			// The page still shows the sources found: only an outage, which monitors must
			// see, changes its status.
			var code int
			code, m.Error = s.askError(w, r, err)
			if code == http.StatusServiceUnavailable {
				status = code
			}
		}
		m.Response, m.Conversation, m.Turn = a.Response, a.Conversation, a.Turn
		m.Blocks, m.CuratedBlocks = answerBlocks(a.Response), curatedBlocks(a.Curated)
	} else if m.Conversation != "" {
		// Reopened from the list of conversations: its answers so far. Someone else's, or
		// one since deleted, shows none (a question asked in it starts a new one).
		_, turns, err := s.conversation(r, m.Conversation)
		switch {
		case err == nil:
			m.Earlier = turns
		case errors.Is(err, answer.ErrNoConversation) || errors.Is(err, answer.ErrNotYours):
			m.Conversation = ""
		default:
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, status, askPage(m))
}

// asked is a question's answer in its conversation.
type asked struct {
	answer.Response
	Conversation string `json:"conversation"`
	// Turn is the answer's 1-based position in the conversation, for feedback to name it.
	Turn int `json:"turn"`
}

// answer runs a question within its conversation for the request's user, records it in the
// conversation and the query log, and returns the answer with the conversation's id and turn.
// shown, when set, receives the curated answer the question matches, if any, before the
// generated answer is composed; emit the generated answer's tokens as they come.
func (s *Server) answer(r *http.Request, question, conversation string, shown func(*answer.Curated), emit func(string)) (asked, error) {
	u := userFrom(r.Context())
	done, err := s.limiter.start(u.Name)
	if err != nil {
		return asked{Response: answer.Response{Citations: []answer.Citation{}}, Conversation: conversation}, err
	}
	defer done()
	history, err := s.Conversations.History(r.Context(), conversation, u.Name)
	if err != nil {
		return asked{Response: answer.Response{Citations: []answer.Citation{}}, Conversation: conversation}, err
	}
	start := time.Now()
	tokens := 0
	counted := func(tok string) {
		tokens++
		if emit != nil {
			emit(tok)
		}
	}
	resp, err := s.askCurated(r, answer.Request{Question: question, History: history, Groups: u.Groups}, shown, counted)
	latency := time.Since(start)
	s.Metrics.answered(resp.Mode, resp.Model, latency, tokens)
	if err != nil {
		err = fmt.Errorf("%w for %s: %w", errUpstream, u.Name, err)
	}
	a := asked{Response: resp, Conversation: conversation}
	var cerr error
	a.Conversation, a.Turn, cerr = s.Conversations.Append(r.Context(), conversation, u.Name, question, resp)
	if cerr != nil {
		s.Log.Error("saving the conversation", "err", cerr)
		a.Conversation = conversation
	}
	s.QueryLog.Record(r.Context(), querylog.Entry{User: u.Name, Channel: channel(r), Question: question, Outcome: outcome(resp, err),
		Latency: latency, Documents: topDocuments(resp), Mode: resp.Mode, Model: resp.Model})
	return a, err
}

// channel is where a question came from, for the query log: the page (its form, or its script
// calling the API, which browsers mark same-origin), MCP, or another API client.
func channel(r *http.Request) string {
	switch {
	case r.URL.Path == "/" || r.Header.Get("Sec-Fetch-Site") == "same-origin":
		return "page"
	case r.URL.Path == "/mcp":
		return "mcp"
	}
	return "api"
}

func outcome(resp answer.Response, err error) string {
	switch {
	case err != nil:
		return querylog.Error
	case !resp.Found:
		return querylog.Declined
	}
	return querylog.Answered
}

// topDocuments are the documents an answer cites, or the closest ones when it declined, each
// once, best first.
func topDocuments(resp answer.Response) []querylog.Document {
	cs := resp.Citations
	if !resp.Found {
		cs = resp.Closest
	}
	docs := []querylog.Document{}
	for _, c := range cs {
		d := querylog.Document{Source: c.Source, Document: c.Document}
		if !slices.Contains(docs, d) {
			docs = append(docs, d)
		}
	}
	return docs
}

// askError is explain for a question, whose sources, if any, still show beside the error.
func (s *Server) askError(w http.ResponseWriter, r *http.Request, err error) (int, string) {
	status, _ := s.explain(w, r, err)
	return status, askMessage(err)
}

// askMessage is what the asker is told of a failed answer.
func askMessage(err error) string {
	status, msg, _ := classify(err)
	switch status {
	case http.StatusTooManyRequests:
		return msg
	case http.StatusGatewayTimeout:
		return "The answer took too long; the sources found are listed below. Try again in a moment."
	}
	return "The answer could not be completed. " + msg + " The sources found are listed below."
}

type askRequest struct {
	Question     string `json:"question"`
	Conversation string `json:"conversation"`
}

type askResponse struct {
	asked
	// Blocks is the answer parsed from Markdown, for the page's script to show (see
	// markdown.go); CuratedBlocks the curated answer's, when one matched.
	Blocks        []block `json:"blocks"`
	CuratedBlocks []block `json:"curated_blocks,omitempty"`
}

// curatedEvent is the stream's "curated" event: the curated answer, with the same fields as in
// the final response.
type curatedEvent struct {
	Curated *answer.Curated `json:"curated"`
	Blocks  []block         `json:"curated_blocks"`
}

// newAskResponse adds the parsed Markdown to an answer.
func newAskResponse(a asked) askResponse {
	return askResponse{a, answerBlocks(a.Response), curatedBlocks(a.Curated)}
}

// curatedBlocks parses a curated answer's Markdown, by the same rules as a model's answer.
func curatedBlocks(c *answer.Curated) []block {
	if c == nil {
		return nil
	}
	return markdownBlocks(c.Answer, nil)
}

func (s *Server) apiAsk(w http.ResponseWriter, r *http.Request) {
	req, err := readAskRequest(w, r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		s.streamAsk(w, r, req)
		return
	}
	a, err := s.answer(r, req.Question, req.Conversation, nil, nil)
	if err != nil {
		status, msg := s.askError(w, r, err)
		writeJSON(w, status, apiError{msg})
		return
	}
	writeJSON(w, http.StatusOK, newAskResponse(a))
}

// readAskRequest reads and checks the body of POST /api/ask, naming the field at fault.
func readAskRequest(w http.ResponseWriter, r *http.Request) (askRequest, error) {
	var req askRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return req, badRequest("request body must be JSON like {\"question\": \"...\", \"conversation\": \"optional id\"}: " + err.Error())
	}
	if req.Question = question(req.Question); req.Question == "" {
		return req, badRequest("question: must not be empty")
	}
	if len(req.Question) > maxQuestion {
		return req, badRequest(fmt.Sprintf("question: at most %d bytes", maxQuestion))
	}
	for field, v := range map[string]string{"question": req.Question, "conversation": req.Conversation} {
		if err := checkText(field, v); err != nil {
			return req, err
		}
	}
	return req, nil
}

// streamAsk answers as server-sent events: a "curated" event first when the question matches a
// curated answer the reader may see ({"curated": ..., "curated_blocks": [...]}, as in the final
// response), sent as soon as it is matched and before retrieval and the model; then "token"
// events as the answer is produced, then one "answer" event with the whole response, or an
// "error" event.
func (s *Server) streamAsk(w http.ResponseWriter, r *http.Request, req askRequest) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, apiError{"streaming is not supported here"})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	event := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			// The status has gone out: say so in the stream rather than send empty data.
			s.Log.Error("encoding an answer event", "event", name, "err", err)
			name, b = "error", []byte(`{"error":"internal error: the answer could not be encoded; the server log has the details"}`)
		}
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		flusher.Flush()
	}
	shown := func(c *answer.Curated) {
		event("curated", curatedEvent{Curated: c, Blocks: curatedBlocks(c)})
	}
	a, err := s.answer(r, req.Question, req.Conversation, shown, func(tok string) {
		event("token", map[string]string{"text": tok})
	})
	if err != nil {
		_, msg := s.askError(w, r, err)
		event("error", map[string]any{"error": msg, "response": newAskResponse(a)})
		return
	}
	event("answer", newAskResponse(a))
}
