// Package feedback stores readers' ratings of answers: 👍 or 👎, a reason and a comment, with
// a copy of the rated answer (question, text, citations with their scores, mode and model), so
// that what was rated survives the conversation and can be studied or turned into tests.
package feedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/docent-search/docent/internal/answer"
)

// Reasons a reader may give; empty gives none.
var Reasons = []string{"wrong", "outdated", "incomplete", "irrelevant", "other"}

// MaxComment bounds a comment, in bytes: a few paragraphs.
const MaxComment = 2000

// Rating is one reader's feedback on the answer of one turn of their conversation.
type Rating struct {
	Conversation string `json:"conversation"`
	Turn         int    `json:"turn"`
	Rating       string `json:"rating"`
	Reason       string `json:"reason"`
	Comment      string `json:"comment"`
}

// FieldError names the field of a Rating at fault.
type FieldError struct{ Field, Problem string }

func (e FieldError) Error() string { return e.Field + ": " + e.Problem }

// Check returns a FieldError for the first field that is missing or out of range.
func (r Rating) Check() error {
	switch {
	case r.Conversation == "":
		return FieldError{"conversation", "must name the conversation"}
	case r.Turn < 1:
		return FieldError{"turn", "must be the answer's position in the conversation, from 1"}
	case r.Rating != "up" && r.Rating != "down":
		return FieldError{"rating", `must be "up" or "down"`}
	case r.Reason != "" && !slices.Contains(Reasons, r.Reason):
		return FieldError{"reason", "must be empty or one of wrong, outdated, incomplete, irrelevant, other"}
	case len(r.Comment) > MaxComment:
		return FieldError{"comment", fmt.Sprintf("at most %d bytes", MaxComment)}
	}
	return nil
}

// ErrNoAnswer is returned for a conversation or turn that does not exist (or is no longer kept).
var ErrNoAnswer = errors.New("no such answer")

// Store keeps ratings beside the conversations they rate.
type Store struct{ Conversations answer.Conversations }

// Add records owner's rating, replacing their earlier rating of the same answer, and returns
// its id. A conversation that is someone else's gives answer.ErrNotYours.
func (s Store) Add(ctx context.Context, owner string, r Rating) (int64, error) {
	if err := r.Check(); err != nil {
		return 0, err
	}
	question, resp, ok, err := s.Conversations.Turn(ctx, r.Conversation, owner, r.Turn)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrNoAnswer
	}
	cited := resp.Citations
	if !resp.Found {
		cited = resp.Closest
	}
	if cited == nil {
		cited = []answer.Citation{}
	}
	citations, err := json.Marshal(cited)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.Conversations.Pool.QueryRow(ctx, `INSERT INTO feedback
		(owner, conversation, turn, rating, reason, comment, question, answer, found, citations, mode, model)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (conversation, turn) DO UPDATE SET at = now(), rating = excluded.rating,
			reason = excluded.reason, comment = excluded.comment
		RETURNING id`, owner, r.Conversation, r.Turn, r.Rating, r.Reason, r.Comment, question, resp.Answer, resp.Found,
		citations, resp.Mode, resp.Model).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving feedback: %w", err)
	}
	return id, nil
}
