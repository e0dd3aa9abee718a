package answer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Conversations stores the questions of each conversation for its owner.
type Conversations struct{ Pool *pgxpool.Pool }

// maxHistory bounds the questions kept per conversation: follow-ups use only the last few.
const maxHistory = 10

// History returns the earlier questions of conversation id, or none when it does not exist or
// belongs to someone else (a conversation id is no way into another user's questions).
func (c Conversations) History(ctx context.Context, id, owner string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	var qs []string
	err := c.Pool.QueryRow(ctx, `SELECT questions FROM conversations WHERE id = $1 AND owner = $2`, id, owner).Scan(&qs)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading conversation: %w", err)
	}
	return qs, nil
}

// Append records question and its answer as the next turn of conversation id, starting a new
// conversation when id is empty, unknown or someone else's, and returns the conversation's id
// and the answer's turn (1-based). Only the last maxHistory answers are kept, as the questions.
func (c Conversations) Append(ctx context.Context, id, owner, question string, resp Response) (string, int, error) {
	stored, err := json.Marshal(resp)
	if err != nil {
		return "", 0, fmt.Errorf("saving conversation: %w", err)
	}
	turn := 0
	if id != "" {
		err := c.Pool.QueryRow(ctx, `WITH c AS (
				UPDATE conversations
				SET questions = (questions || $3::text)[greatest(1, cardinality(questions) + 2 - $4):], turns = turns + 1, updated_at = now()
				WHERE id = $1 AND owner = $2 RETURNING id, turns),
			old AS (DELETE FROM conversation_answers a USING c WHERE a.conversation = c.id AND a.turn <= c.turns - $4)
			INSERT INTO conversation_answers (conversation, turn, question, response) SELECT id, turns, $3, $5 FROM c RETURNING turn`,
			id, owner, question, maxHistory, stored).Scan(&turn)
		if err == nil {
			return id, turn, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", 0, fmt.Errorf("saving conversation: %w", err)
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	id = hex.EncodeToString(b)
	err = c.Pool.QueryRow(ctx, `WITH c AS (INSERT INTO conversations (id, owner, questions, turns) VALUES ($1, $2, ARRAY[$3::text], 1) RETURNING id)
		INSERT INTO conversation_answers (conversation, turn, question, response) SELECT id, 1, $3, $4 FROM c RETURNING turn`,
		id, owner, question, stored).Scan(&turn)
	if err != nil {
		return "", 0, fmt.Errorf("saving conversation: %w", err)
	}
	return id, turn, nil
}

// ErrNotYours is returned for a conversation that belongs to someone else.
var ErrNotYours = errors.New("the conversation is someone else's")

// Turn returns the question and answer of turn in owner's conversation id; ok is false when
// there is no such conversation or turn (or it is no longer kept), and the error ErrNotYours
// when the conversation is someone else's.
func (c Conversations) Turn(ctx context.Context, id, owner string, turn int) (question string, resp Response, ok bool, err error) {
	var who string
	var stored []byte
	err = c.Pool.QueryRow(ctx, `SELECT c.owner, coalesce(a.question, ''), a.response FROM conversations c
		LEFT JOIN conversation_answers a ON a.conversation = c.id AND a.turn = $2 WHERE c.id = $1`, id, turn).Scan(&who, &question, &stored)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", resp, false, nil
	case err != nil:
		return "", resp, false, fmt.Errorf("reading conversation: %w", err)
	case who != owner:
		return "", resp, false, ErrNotYours
	case stored == nil:
		return "", resp, false, nil
	}
	if err := json.Unmarshal(stored, &resp); err != nil {
		return "", resp, false, fmt.Errorf("reading conversation %s turn %d: %w", id, turn, err)
	}
	return question, resp, true, nil
}
