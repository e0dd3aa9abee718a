// Package embedder turns text into vectors. It provides the built-in offline embedder and, through
// langchaingo, Ollama and OpenAI-compatible servers, all behind one interface that also says
// which model made the vectors, so the index never mixes vector spaces.
package embedder

import "github.com/tmc/langchaingo/embeddings"

// Embedder is a langchaingo embedder that names its model.
type Embedder interface {
	embeddings.Embedder
	// Model identifies the vector space, e.g. "docent-local-v2" or "ollama/nomic-embed-text".
	Model() string
}
