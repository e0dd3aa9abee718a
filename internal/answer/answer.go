// Package answer turns retrieved passages into an answer with numbered citations: extractively
// (the default, no model needed) or through an LLM. Every answerer sees only the passages
// retrieval returned for the reader, so an answer can never cite what the reader may not see.
package answer

import (
	"context"

	"github.com/docent-search/docent/internal/retrieve"
)

// Answerer composes an answer to question from the numbered sources (sources[i] is [i+1]).
// Tokens of the answer are passed to emit as they are produced; the full text is returned.
type Answerer interface {
	Answer(ctx context.Context, question string, sources []retrieve.Result, emit func(token string)) (string, error)
	// Standalone turns a follow-up ("and for contractors?") into a question that can be
	// searched on its own, given the earlier questions of the conversation, oldest first.
	Standalone(ctx context.Context, history []string, question string) (string, error)
	// Name is shown to the reader: the model that answered, or "extractive".
	Name() string
}
