package answer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

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
	err = c.Pool.QueryRow(ctx, `WITH c AS (INSERT INTO conversations (id, owner, questions, turns, title) VALUES ($1, $2, ARRAY[$3::text], 1, $5) RETURNING id)
		INSERT INTO conversation_answers (conversation, turn, question, response) SELECT id, 1, $3, $4 FROM c RETURNING turn`,
		id, owner, question, stored, title(question)).Scan(&turn)
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
	if turn > math.MaxInt32 {
		turn = 0 // past any turn stored (an integer column): no such answer, still checked for its owner
	}
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

// maxTitle bounds a conversation's title, in characters: its first question, cut.
const maxTitle = 120

func title(question string) string {
	t := strings.Join(strings.Fields(question), " ")
	if utf8.RuneCountInString(t) <= maxTitle {
		return t
	}
	return string([]rune(t)[:maxTitle-1]) + "…"
}

// Summary is one conversation in its owner's list.
type Summary struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Updated time.Time `json:"updated"`
}

// List returns owner's conversations, the latest first (at most limit).
func (c Conversations) List(ctx context.Context, owner string, limit int) ([]Summary, error) {
	rows, _ := c.Pool.Query(ctx, `SELECT id, title, updated_at FROM conversations WHERE owner = $1 ORDER BY updated_at DESC, id LIMIT $2`, owner, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Summary, error) {
		var s Summary
		return s, row.Scan(&s.ID, &s.Title, &s.Updated)
	})
	if err != nil {
		return nil, fmt.Errorf("listing conversations: %w", err)
	}
	return out, nil
}

// ErrNoConversation is returned for a conversation id that does not exist.
var ErrNoConversation = errors.New("no such conversation")

// owned checks that conversation id is owner's: ErrNoConversation when there is none,
// ErrNotYours when it is someone else's.
func (c Conversations) owned(ctx context.Context, id, owner string) error {
	var who string
	err := c.Pool.QueryRow(ctx, `SELECT owner FROM conversations WHERE id = $1`, id).Scan(&who)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNoConversation
	case err != nil:
		return fmt.Errorf("reading conversation: %w", err)
	case who != owner:
		return ErrNotYours
	}
	return nil
}

// Delete removes owner's conversation id with its answers, their feedback aside (kept as a
// copy), and the links sharing them.
func (c Conversations) Delete(ctx context.Context, id, owner string) error {
	if err := c.owned(ctx, id, owner); err != nil {
		return err
	}
	if _, err := c.Pool.Exec(ctx, `DELETE FROM conversations WHERE id = $1 AND owner = $2`, id, owner); err != nil {
		return fmt.Errorf("deleting conversation: %w", err)
	}
	return nil
}

// Kept is one answer of a conversation as stored.
type Kept struct {
	Turn     int      `json:"turn"`
	Question string   `json:"question"`
	Response Response `json:"response"`
}

// Turns returns the answers kept of owner's conversation id, oldest first, with its title.
func (c Conversations) Turns(ctx context.Context, id, owner string) (string, []Kept, error) {
	if err := c.owned(ctx, id, owner); err != nil {
		return "", nil, err
	}
	var t string
	if err := c.Pool.QueryRow(ctx, `SELECT title FROM conversations WHERE id = $1`, id).Scan(&t); err != nil {
		return "", nil, fmt.Errorf("reading conversation: %w", err)
	}
	rows, _ := c.Pool.Query(ctx, `SELECT turn, question, response FROM conversation_answers WHERE conversation = $1 ORDER BY turn`, id)
	kept, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Kept, error) {
		var k Kept
		var stored []byte
		if err := row.Scan(&k.Turn, &k.Question, &stored); err != nil {
			return k, err
		}
		return k, json.Unmarshal(stored, &k.Response)
	})
	if err != nil {
		return "", nil, fmt.Errorf("reading conversation %s: %w", id, err)
	}
	return t, kept, nil
}

// Share makes (or finds) the link id sharing the answer of turn in owner's conversation id: a
// copy of the answer that outlives the conversation's trimming but not its deletion.
func (c Conversations) Share(ctx context.Context, id, owner string, turn int) (string, error) {
	question, resp, ok, err := c.Turn(ctx, id, owner, turn)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrNoConversation
	}
	stored, err := json.Marshal(resp)
	if err != nil {
		return "", fmt.Errorf("sharing the answer: %w", err)
	}
	b := make([]byte, 16)
	rand.Read(b)
	var link string
	err = c.Pool.QueryRow(ctx, `INSERT INTO shared_answers (id, conversation, turn, owner, question, response) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (conversation, turn) DO UPDATE SET turn = EXCLUDED.turn RETURNING id`,
		hex.EncodeToString(b), id, turn, owner, question, stored).Scan(&link)
	if err != nil {
		return "", fmt.Errorf("sharing the answer: %w", err)
	}
	return link, nil
}

// Shared is a shared answer as stored: the viewer's groups are checked by the caller.
type Shared struct {
	Owner    string
	Question string
	Response Response
	At       time.Time
}

// Shared returns the answer shared under link id; ok is false when there is none.
func (c Conversations) Shared(ctx context.Context, id string) (Shared, bool, error) {
	var sh Shared
	var stored []byte
	err := c.Pool.QueryRow(ctx, `SELECT owner, question, response, at FROM shared_answers WHERE id = $1`, id).Scan(&sh.Owner, &sh.Question, &stored, &sh.At)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return sh, false, nil
	case err != nil:
		return sh, false, fmt.Errorf("reading shared answer: %w", err)
	}
	if err := json.Unmarshal(stored, &sh.Response); err != nil {
		return sh, false, fmt.Errorf("reading shared answer %s: %w", id, err)
	}
	return sh, true, nil
}
