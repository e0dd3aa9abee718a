package embedder_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/docent-search/docent/internal/embedder"
)

func cosine(a, b []float32) float64 {
	var dot float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	return dot
}

func TestLocalIsDeterministicAndNormalised(t *testing.T) {
	t.Parallel()
	e := embedder.Local{}
	texts := []string{"Taxis after a late client dinner are reimbursed.", "VPN setup with WireGuard"}
	a, err := e.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.EmbedDocuments(context.Background(), texts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same text embedded twice gave different vectors")
	}
	for i, v := range a {
		if len(v) != embedder.LocalDimension {
			t.Fatalf("dimension %d, want %d", len(v), embedder.LocalDimension)
		}
		if n := math.Sqrt(cosine(v, v)); math.Abs(n-1) > 1e-5 {
			t.Errorf("text %d: norm %f, want 1", i, n)
		}
	}
	q, _ := e.EmbedQuery(context.Background(), texts[0])
	if !reflect.DeepEqual(q, a[0]) {
		t.Error("query and document embeddings of the same text differ")
	}
	if z := e.Vector("... !!! ..."); cosine(z, z) != 0 {
		t.Error("text without words should embed to the zero vector")
	}
}

func TestLocalSimilarity(t *testing.T) {
	t.Parallel()
	e := embedder.Local{}
	for _, tc := range []struct{ a, near, far string }{
		{"expense policy for taxis", "The expenses policies cover taxi rides", "Clean the coffee machine on Fridays"},
		{"booking flights", "Book a flight through TravelDesk", "Reset your password with a hardware key"},
		{"password reset", "pasword resett", "holiday carry-over rules"},                                                             // typos
		{"VPN profile expired", "VPN PROFILE EXPIRED!", "parental leave for contractors"},                                            // case, punctuation
		{"database read-only access request", "request read only access to the billing database", "the fridge is emptied on Friday"}, // word order
	} {
		base := e.Vector(tc.a)
		near, far := cosine(base, e.Vector(tc.near)), cosine(base, e.Vector(tc.far))
		if near <= far+0.1 {
			t.Errorf("%q: similar %q scored %.3f, unrelated %q %.3f", tc.a, tc.near, near, tc.far, far)
		}
	}
}

func BenchmarkLocal(b *testing.B) {
	e := embedder.Local{}
	chunk := ""
	for i := range 60 { // about 300 words, a typical chunk
		chunk += fmt.Sprintf("Employees submit expense claim number %d within thirty days with receipts. ", i)
	}
	b.SetBytes(int64(len(chunk)))
	b.ResetTimer()
	for b.Loop() {
		e.Vector(chunk)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
}
