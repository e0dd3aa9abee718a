package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/docent-search/docent/internal/answer"
	"github.com/docent-search/docent/internal/feedback"
)

// apiFeedback is POST /api/feedback: {"conversation", "turn", "rating", "reason", "comment"} →
// 201 {"id"}.
func (s *Server) apiFeedback(w http.ResponseWriter, r *http.Request) {
	var in feedback.Rating
	if err := decodeJSON(w, r, &in); err != nil {
		s.error(w, r, badRequest(`request body must be JSON like {"conversation": "...", "turn": 1, "rating": "up" or "down", "reason": "optional", "comment": "optional"}: `+err.Error()))
		return
	}
	id, err := s.rate(r, in)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": id})
}

// feedbackForm is POST /feedback, the form under each answer, which works without JavaScript:
// it records the rating and goes back to the rated answer, so a reload never re-submits.
func (s *Server) feedbackForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.error(w, r, badRequest("the feedback form could not be read: "+err.Error()))
		return
	}
	turn, err := strconv.Atoi(r.PostFormValue("turn"))
	if err != nil {
		s.error(w, r, badRequest("turn: must be the answer's position in the conversation, from 1"))
		return
	}
	in := feedback.Rating{Conversation: r.PostFormValue("conversation"), Turn: turn, Rating: r.PostFormValue("rating"),
		Reason: r.PostFormValue("reason"), Comment: r.PostFormValue("comment")}
	if _, err := s.rate(r, in); err != nil {
		s.error(w, r, err)
		return
	}
	q := url.Values{"c": {in.Conversation}, "t": {strconv.Itoa(turn)}, "rated": {in.Rating}}
	http.Redirect(w, r, "/?"+q.Encode(), http.StatusSeeOther)
}

// rate records the request's user's rating, as a client error when the input or the
// conversation is at fault.
func (s *Server) rate(r *http.Request, in feedback.Rating) (int64, error) {
	for field, v := range map[string]string{"conversation": in.Conversation, "rating": in.Rating, "reason": in.Reason, "comment": in.Comment} {
		if err := checkText(field, v); err != nil {
			return 0, err
		}
	}
	id, err := feedback.Store{Conversations: s.Conversations}.Add(r.Context(), userFrom(r.Context()).Name, in)
	var field feedback.FieldError
	switch {
	case errors.As(err, &field):
		return 0, badRequest(field.Error())
	case errors.Is(err, answer.ErrNotYours):
		return 0, forbidden("conversation: you may rate only answers in your own conversations")
	case errors.Is(err, feedback.ErrNoAnswer):
		return 0, notFound("conversation, turn: no such answer (only the last few of a conversation are kept)")
	}
	return id, err
}
