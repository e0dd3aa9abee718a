package answer

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/docent-search/docent/internal/modelclient"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/tmc/langchaingo/llms"
)

// LLM answers through a chat model, streaming its tokens.
type LLM struct {
	model  llms.Model
	name   string
	policy modelclient.Policy
}

// Name implements Answerer.
func (l *LLM) Name() string { return l.name }

// Answer implements Answerer. Failures before the first token are retried; once tokens have
// reached the reader, a failure ends the answer instead of starting it again.
func (l *LLM) Answer(ctx context.Context, question string, sources []retrieve.Result, emit func(string)) (string, error) {
	msgs := Prompt(question, sources)
	var b strings.Builder
	var started atomic.Bool
	err := modelclient.Do(ctx, l.policy, func(ctx context.Context) error {
		b.Reset()
		_, err := l.model.GenerateContent(ctx, msgs, llms.WithTemperature(0.1),
			llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
				if len(chunk) == 0 {
					return nil
				}
				started.Store(true)
				b.Write(chunk)
				if emit != nil {
					emit(string(chunk))
				}
				return nil
			}))
		return err
	}, started.Load)
	return b.String(), err
}
