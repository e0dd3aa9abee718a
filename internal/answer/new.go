package answer

import (
	"cmp"
	"fmt"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/modelclient"
	"github.com/tmc/langchaingo/llms/openai"
)

// Default chat models when DOCENT_LLM_MODEL is unset.
const (
	DefaultOllamaModel = "llama3.2"
	DefaultOpenAIModel = "gpt-4o-mini"
)

// New returns the answerer the configuration selects.
func New(cfg config.Config) (Answerer, error) {
	policy := modelclient.Policy{Timeout: cfg.LLMTimeout, Attempts: 3}
	switch cfg.LLM {
	case "extractive", "":
		return Extractive{}, nil
	case "ollama":
		model := cmp.Or(cfg.LLMModel, DefaultOllamaModel)
		llm, err := modelclient.Ollama(cfg.LLMURL, model)
		if err != nil {
			return nil, err
		}
		return &LLM{model: llm, name: "ollama/" + model, policy: policy}, nil
	case "openai":
		model := cmp.Or(cfg.LLMModel, DefaultOpenAIModel)
		llm, err := modelclient.OpenAI(cfg.LLMURL, cfg.APIKey, openai.WithModel(model))
		if err != nil {
			return nil, err
		}
		return &LLM{model: llm, name: "openai/" + model, policy: policy}, nil
	}
	return nil, fmt.Errorf("invalid DOCENT_LLM %q: want extractive, ollama or openai", cfg.LLM)
}
