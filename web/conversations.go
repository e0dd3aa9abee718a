package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/docent-search/docent/internal/access"
	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/curated"
)

// maxConversations is how many of a reader's conversations their list shows.
const maxConversations = 100

// conversationError turns answer.Conversations' errors into what the client is told: 404 for
// none, 403 for someone else's (as feedback does).
func conversationError(err error) error {
	switch {
	case errors.Is(err, answer.ErrNoConversation):
		return notFound("No such conversation.")
	case errors.Is(err, answer.ErrNotYours):
		return forbidden("This conversation is someone else's.")
	}
	return err
}

// apiConversations is GET /api/conversations: the reader's own conversations, latest first.
func (s *Server) apiConversations(w http.ResponseWriter, r *http.Request) {
	list, err := s.Conversations.List(r.Context(), userFrom(r.Context()).Name, maxConversations)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if list == nil {
		list = []answer.Summary{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": list})
}

// deleteConversation deletes the path's conversation if it is the reader's.
func (s *Server) deleteConversation(r *http.Request) error {
	return conversationError(s.Conversations.Delete(r.Context(), r.PathValue("id"), userFrom(r.Context()).Name))
}

// apiDeleteConversation is DELETE /api/conversations/{id} → 204.
func (s *Server) apiDeleteConversation(w http.ResponseWriter, r *http.Request) {
	if err := s.deleteConversation(r); err != nil {
		s.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// viewedTurn is one answer of a conversation as the reader sees it now.
type viewedTurn struct {
	Turn     int    `json:"turn"`
	Question string `json:"question"`
	viewed
}

// apiConversation is GET /api/conversations/{id}: the answers kept, each re-checked against
// the reader's groups as they are now.
func (s *Server) apiConversation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	title, turns, err := s.conversation(r, id)
	if err != nil {
		s.error(w, r, conversationError(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "title": title, "turns": turns})
}

func (s *Server) conversation(r *http.Request, id string) (string, []viewedTurn, error) {
	title, kept, err := s.Conversations.Turns(r.Context(), id, userFrom(r.Context()).Name)
	if err != nil {
		return "", nil, err
	}
	out := []viewedTurn{}
	for _, k := range kept {
		v, err := s.forViewer(r.Context(), k.Response, groups(r))
		if err != nil {
			return "", nil, err
		}
		out = append(out, viewedTurn{k.Turn, k.Question, v})
	}
	return title, out, nil
}

// conversationsPage lists the reader's conversations, to reopen or delete.
func (s *Server) conversationsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Conversations.List(r.Context(), userFrom(r.Context()).Name, maxConversations)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, conversationsPage(conversationsModel{page: s.pageFor(r, "Conversations", "conversations"),
		Conversations: list, Deleted: r.URL.Query().Get("deleted") != ""}))
}

// deleteConversationForm is POST /conversations/{id}/delete, from the list.
func (s *Server) deleteConversationForm(w http.ResponseWriter, r *http.Request) {
	if err := s.deleteConversation(r); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/conversations?deleted=1", http.StatusSeeOther)
}

// A shared answer, like a reopened one, is re-checked against the viewer's groups when it is
// shown (forViewer): citations of documents the viewer may not read are dropped, with a note
// saying how many. The answer's text is shown only when the viewer may read every document it
// was composed from (answer.Response.Context, cited or not): a sentence quoting a hidden
// document cannot be told apart from the others, so rather than show part of it, the text is
// withheld, with a note and the question to ask for themselves. A curated answer is shown only
// when the viewer is in its groups, and otherwise not mentioned.

// viewed is an answer as one reader may see it.
type viewed struct {
	answer.Response
	Blocks        []block `json:"blocks"`
	CuratedBlocks []block `json:"curated_blocks,omitempty"`
	// Hidden counts the citations and closest documents dropped: outside the viewer's groups
	// (or no longer indexed).
	Hidden int `json:"hidden"`
	// Withheld is true when the answer's text is not shown, since it drew on a document the
	// viewer may not read.
	Withheld bool `json:"withheld"`
}

// forViewer re-checks resp against groups (see above).
func (s *Server) forViewer(ctx context.Context, resp answer.Response, groups []string) (viewed, error) {
	var ids []int64
	for _, c := range slices.Concat(resp.Citations, resp.Closest) {
		ids = append(ids, citedDocument(c))
	}
	ids = append(ids, resp.Context...)
	rows, _ := s.Pool.Query(ctx, `SELECT d.id FROM documents d WHERE d.id = ANY($1) AND d.status = 'indexed' AND `+access.Visible("d", "$2"), ids, nonNil(groups))
	visible, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return viewed{}, err
	}
	v := viewed{Response: resp}
	keep := func(cs []answer.Citation) []answer.Citation {
		out := []answer.Citation{}
		for _, c := range cs {
			if slices.Contains(visible, citedDocument(c)) {
				// The highlighted excerpt is not stored: the plain one shows, escaped.
				c.SnippetHTML = html.EscapeString(c.Snippet)
				out = append(out, c)
			} else {
				v.Hidden++
			}
		}
		return out
	}
	v.Citations, v.Closest = keep(resp.Citations), keep(resp.Closest)
	drawn := slices.Concat(resp.Context, citedIDs(resp.Citations))
	if resp.Found && slices.ContainsFunc(drawn, func(id int64) bool { return !slices.Contains(visible, id) }) {
		v.Withheld, v.Answer = true, ""
	}
	v.Context = nil // ids of documents the viewer may not see stay with the stored copy
	v.Curated = nil
	if resp.Curated != nil {
		e, err := s.Curated.Visible(ctx, resp.Curated.ID, groups)
		switch {
		case err == nil:
			v.Curated = shownCurated(&curated.Match{Entry: e})
		case !errors.Is(err, curated.ErrNotFound):
			return viewed{}, err
		}
	}
	if !v.Withheld {
		v.Blocks = answerBlocks(v.Response)
	}
	v.CuratedBlocks = curatedBlocks(v.Curated)
	return v, nil
}

func citedIDs(cs []answer.Citation) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, citedDocument(c))
	}
	return out
}

var docPath = regexp.MustCompile(`^/doc/([0-9]+)`)

// citedDocument is the id of a citation's document; answers stored before citations carried
// it have it in their link.
func citedDocument(c answer.Citation) int64 {
	if c.DocumentID != 0 {
		return c.DocumentID
	}
	if m := docPath.FindStringSubmatch(c.URL); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return id
	}
	return 0
}

type shareRequest struct {
	Conversation string `json:"conversation"`
	Turn         int    `json:"turn"`
}

// share makes the link sharing an answer of the reader's own conversation.
func (s *Server) share(r *http.Request, in shareRequest) (string, error) {
	if err := checkText("conversation", in.Conversation); err != nil {
		return "", err
	}
	if in.Turn < 1 {
		return "", badRequest("turn: must be the answer's position in the conversation, from 1")
	}
	id, err := s.Conversations.Share(r.Context(), in.Conversation, userFrom(r.Context()).Name, in.Turn)
	if errors.Is(err, answer.ErrNoConversation) {
		return "", notFound("conversation, turn: no such answer (only the last few of a conversation are kept)")
	}
	return id, conversationError(err)
}

// apiShare is POST /api/share {"conversation", "turn"} → 201 {"id", "url"}.
func (s *Server) apiShare(w http.ResponseWriter, r *http.Request) {
	var in shareRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.error(w, r, badRequest(`request body must be JSON like {"conversation": "...", "turn": 1}: `+err.Error()))
		return
	}
	id, err := s.share(r, in)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "url": "/shared/" + id})
}

// shareForm is POST /share, the button under an answer, which works without JavaScript: it
// makes the link and opens the shared page, whose address is the link.
func (s *Server) shareForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.error(w, r, badRequest("the share form could not be read: "+err.Error()))
		return
	}
	turn, err := strconv.Atoi(r.PostFormValue("turn"))
	if err != nil {
		s.error(w, r, badRequest("turn: must be the answer's position in the conversation, from 1"))
		return
	}
	id, err := s.share(r, shareRequest{r.PostFormValue("conversation"), turn})
	if err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/shared/"+id, http.StatusSeeOther)
}

// sharedAnswer reads the shared answer of the path for the viewer.
func (s *Server) sharedAnswer(r *http.Request) (sharedModel, error) {
	id := r.PathValue("id")
	sh, ok, err := s.Conversations.Shared(r.Context(), id)
	if err != nil {
		return sharedModel{}, err
	}
	if !ok {
		return sharedModel{}, notFound("No such shared answer: the link is wrong, or its conversation was deleted.")
	}
	v, err := s.forViewer(r.Context(), sh.Response, groups(r))
	if err != nil {
		return sharedModel{}, err
	}
	// What was searched for a follow-up carries the conversation's earlier questions, which
	// were not shared: the link shows the question it shares.
	v.Question = sh.Question
	return sharedModel{page: s.pageFor(r, "Shared answer", ""), ID: id, Question: sh.Question, By: sh.Owner, View: v}, nil
}

// sharedPage is GET /shared/{id}.
func (s *Server) sharedPage(w http.ResponseWriter, r *http.Request) {
	m, err := s.sharedAnswer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, sharedPage(m))
}

// apiShared is GET /api/shared/{id}: the shared answer as the viewer may see it.
func (s *Server) apiShared(w http.ResponseWriter, r *http.Request) {
	m, err := s.sharedAnswer(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"question": m.Question, "shared_by": m.By, "answer": m.View})
}
