package answer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

// Append records question in conversation id, starting a new conversation when id is empty,
// unknown or someone else's, and returns the conversation's id.
func (c Conversations) Append(ctx context.Context, id, owner, question string) (string, error) {
	if id != "" {
		tag, err := c.Pool.Exec(ctx, `UPDATE conversations
			SET questions = (questions || $3::text)[greatest(1, cardinality(questions) + 2 - $4):], updated_at = now()
			WHERE id = $1 AND owner = $2`, id, owner, question, maxHistory)
		if err != nil {
			return "", fmt.Errorf("saving conversation: %w", err)
		}
		if tag.RowsAffected() == 1 {
			return id, nil
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	id = hex.EncodeToString(b)
	if _, err := c.Pool.Exec(ctx, `INSERT INTO conversations (id, owner, questions) VALUES ($1, $2, ARRAY[$3::text])`, id, owner, question); err != nil {
		return "", fmt.Errorf("saving conversation: %w", err)
	}
	return id, nil
}
