package modelclient

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
)

// Default server addresses when DOCENT_EMBED_URL / DOCENT_LLM_URL are unset.
const (
	DefaultOllamaURL = "http://localhost:11434"
	DefaultOpenAIURL = "https://api.openai.com/v1"
)

// Ollama opens a langchaingo Ollama client for model at baseURL, through the recording client.
func Ollama(baseURL, model string) (*ollama.LLM, error) {
	llm, err := ollama.New(ollama.WithModel(model), ollama.WithServerURL(cmp.Or(baseURL, DefaultOllamaURL)),
		ollama.WithHTTPClient(HTTPClient()))
	if err != nil {
		return nil, fmt.Errorf("configuring the Ollama client for %s: %w", cmp.Or(baseURL, DefaultOllamaURL), err)
	}
	return llm, nil
}

// OpenAI opens an OpenAI or OpenAI-compatible client. OpenAI itself needs a key; a local
// compatible server (vLLM, llama.cpp, LM Studio…) usually does not, so a placeholder is sent.
func OpenAI(baseURL, apiKey string, opts ...openai.Option) (*openai.LLM, error) {
	baseURL = cmp.Or(baseURL, DefaultOpenAIURL)
	if apiKey == "" {
		if strings.Contains(baseURL, "api.openai.com") {
			return nil, fmt.Errorf("OpenAI needs an API key: set DOCENT_API_KEY (or OPENAI_API_KEY)")
		}
		apiKey = "no-key"
	}
	opts = append(opts, openai.WithBaseURL(baseURL), openai.WithToken(apiKey), openai.WithHTTPClient(HTTPClient()))
	llm, err := openai.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring the OpenAI-compatible client for %s: %w", baseURL, err)
	}
	return llm, nil
}
