package embedder_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/docent-search/docent/internal/config"
	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/wordvec"
)

// localV3 loads the checkout's word vectors; scripts/ensure-wordvectors.sh (run by make test
// and CI) makes them. Without them the test fails, naming that command.
func localV3(t *testing.T) *embedder.LocalV3 {
	t.Helper()
	e, err := embedder.NewLocalV3(wordvec.DefaultPath)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestLocalV3BridgesDifferentWords(t *testing.T) {
	t.Parallel()
	v3, v2 := localV3(t), embedder.Local{}
	for _, tc := range []struct{ q, near, far string }{
		{"how many vacation days do I get", "Full-time employees get 27 days of paid holiday per year.", "Book meeting rooms in the calendar."},
		{"can I get my cab fare back", "Taxis are reimbursed for trips to airports.", "Passwords must be at least 14 characters."},
		{"I misplaced my work computer", "Report a lost or stolen laptop to security within one hour.", "Coffee, tea and fruit are free in the kitchen."},
	} {
		q, near, far := v3.WeightedQuery(tc.q, nil), v3.WeightedQuery(tc.near, nil), v3.WeightedQuery(tc.far, nil)
		if cosine(q, near) <= cosine(q, far) {
			t.Errorf("v3: %q is no closer to %q (%.3f) than to %q (%.3f)", tc.q, tc.near, cosine(q, near), tc.far, cosine(q, far))
		}
		// The regression: v2, sharing no word, cannot tell the two apart by meaning.
		if b := v2.Vector(tc.q); cosine(q, near)-cosine(q, far) <= cosine(b, v2.Vector(tc.near))-cosine(b, v2.Vector(tc.far)) {
			t.Errorf("v3 separates %q from its answer no better than v2", tc.q)
		}
	}
}

func TestLocalV3KeepsExactWordsAndUnknownNames(t *testing.T) {
	t.Parallel()
	e := localV3(t)
	ctx := context.Background()
	docs, err := e.EmbedDocuments(ctx, []string{"Connect with the WireGuard client: wg-quick up halcyon0", "Order a desk chair for your home office", "%%% ..."})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range docs[:2] {
		if len(v) != e.Dimension() || len(v) != embedder.LocalDimension+100 {
			t.Fatalf("dimension %d, want %d", len(v), embedder.LocalDimension+100)
		}
		if n := math.Sqrt(cosine(v, v)); math.Abs(n-1) > 1e-4 {
			t.Errorf("document %d: norm %f, want 1", i, n)
		}
	}
	if cosine(docs[2], docs[2]) != 0 {
		t.Error("text without words should embed to the zero vector")
	}
	// "halcyon0" and "wg" are in no word list: the hashed part still matches them.
	q, _ := e.EmbedQuery(ctx, "halcyon0 wg-quick")
	if cosine(q, docs[0]) <= cosine(q, docs[1]) {
		t.Errorf("names the word vectors lack do not match: %.3f vs %.3f", cosine(q, docs[0]), cosine(q, docs[1]))
	}
	same, _ := e.EmbedQuery(ctx, "Order a desk chair for your home office")
	if d := cosine(same, docs[1]); math.Abs(d-1) > 1e-4 {
		t.Errorf("query and document embeddings of the same text differ (cosine %f)", d)
	}
}

func TestNewSelectsLocalModels(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Embedder: "local", EmbedModel: embedder.LocalV3Model, WordVectors: wordvec.DefaultPath}
	e, err := embedder.New(cfg)
	if err != nil || e.Model() != embedder.LocalV3Model {
		t.Fatalf("New(v3) = %v, %v", e, err)
	}
	if d, err := embedder.Dimension(context.Background(), e); err != nil || d != embedder.LocalDimension+100 {
		t.Fatalf("Dimension = %d, %v", d, err)
	}
	cfg.EmbedModel = embedder.LocalModel
	if e, err := embedder.New(cfg); err != nil || e.Model() != embedder.LocalModel {
		t.Fatalf("New(v2) = %v, %v", e, err)
	}
	// Without the file, v3 is refused with the command that fetches it, and v2 is offered.
	cfg.EmbedModel, cfg.WordVectors = embedder.LocalV3Model, "/nonexistent/wordvectors.bin"
	_, err = embedder.New(cfg)
	if err == nil || !strings.Contains(err.Error(), wordvec.FetchCommand) || !strings.Contains(err.Error(), embedder.LocalModel) {
		t.Fatalf("New(v3) without its file = %v, want an error naming %s and %s", err, wordvec.FetchCommand, embedder.LocalModel)
	}
	cfg.EmbedModel = "docent-local-v9"
	if _, err := embedder.New(cfg); err == nil {
		t.Fatal("an unknown local model was accepted")
	}
}

// Known is the share of a question's words that have word vectors: all of an English question,
// none of a Chinese one, part of one with a name the vectors lack.
func TestLocalV3Known(t *testing.T) {
	t.Parallel()
	e := localV3(t)
	for _, tc := range []struct {
		text string
		want float64
	}{
		{"how many vacation days do I get", 1},
		{"查看磁盘剩余空间", 0},
		{"用 base64 编码数据", 1.0 / 6}, // each Han character is a word; base64 has a vector
		{"", 0},
		{"the", 0},
		{"rotate the zqxjkvw credentials", 2.0 / 3},
	} {
		if got := e.Known(tc.text); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Known(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
