package retrieve

import (
	"slices"
	"testing"

	"github.com/docent-search/docent/internal/textseg"
)

// order returns the candidates' ids in the order fuse ranks them.
func order(cands []candidate) []int64 {
	var ids []int64
	for _, c := range fuse(cands, DefaultLexicalWeight, DefaultVectorWeight, 0, len(cands), len(cands)) {
		ids = append(ids, c.id)
	}
	return ids
}

// pool returns n nearest passages of similarity sim, ids from 100, none found by full text:
// the rest of the vector branch's candidates, against which margins are measured.
func pool(n int, sim float64) []candidate {
	var out []candidate
	for i := range n {
		out = append(out, candidate{id: int64(100 + i), doc: int64(100 + i), sim: sim, nearest: true})
	}
	return out
}

// A question in other words than its answer: full text's best passage (1) holds 15 % of the
// question's weight, the embedding clearly prefers passage 2, and passage 2 ranks first. With
// full text trusted by the square of coverage/0.4 and margins weighing 0.3, passage 1's BM25
// plus its own fair similarity put it first.
func TestFuseFollowsTheEmbeddingsClearWinnerWhenFullTextFindsLittle(t *testing.T) {
	cands := append([]candidate{
		{id: 1, doc: 1, bm25: 10, coverage: 0.15, sim: 0.56, nearest: true},
		{id: 2, doc: 2, sim: 0.60, nearest: true},
		{id: 3, doc: 3, bm25: 4, coverage: 0.1, sim: 0.30},
	}, pool(10, 0.40)...)
	if got := order(cands); got[0] != 2 || got[1] != 1 {
		t.Fatalf("order = %v, want 2 then 1", got[:3])
	}
}

// A keyword question: full text's best passage holds 30 % of the question's weight, enough to
// trust full text fully, and BM25's order stands although the embedding prefers other passages.
func TestFuseKeepsBM25sOrderWhenFullTextFindsEnough(t *testing.T) {
	cands := append([]candidate{
		{id: 1, doc: 1, bm25: 10, coverage: 0.3, sim: 0.45, nearest: true},
		{id: 2, doc: 2, bm25: 6, coverage: 0.3, sim: 0.50, nearest: true},
		{id: 3, doc: 3, sim: 0.60, nearest: true},
	}, pool(10, 0.40)...)
	if got := order(cands); !slices.Equal(got[:3], []int64{1, 2, 3}) {
		t.Fatalf("order = %v, want 1, 2, 3", got[:3])
	}
	// With less of the question found (coverage 0.2, a quarter of the trust), the passage the
	// embedding clearly prefers moves up to first.
	for i := range cands[:2] {
		cands[i].coverage = 0.2
	}
	if got := order(cands); got[0] != 3 {
		t.Fatalf("order at coverage 0.2 = %v, want 3 first", got[:3])
	}
}

// A question the embedder knows none of the words of (a Chinese one, for the built-in
// embedder's English word vectors): full text finds little of it by IDF-weighted coverage
// (bigrams that straddle two words count and match nothing), yet its order stands, because the
// embedding matches the same words through hashed characters and its margins say nothing more.
// Known in part, full text keeps that part of its trust at least.
func TestFuseKeepsFullTextForQuestionsTheEmbedderDoesNotKnow(t *testing.T) {
	cands := func() []candidate {
		return append([]candidate{
			{id: 1, doc: 1, bm25: 10, coverage: 0.15, sim: 0.56, nearest: true},
			{id: 2, doc: 2, sim: 0.60, nearest: true},
			{id: 3, doc: 3, bm25: 4, coverage: 0.1, sim: 0.30},
		}, pool(10, 0.40)...)
	}
	rank := func(known float64) []int64 {
		var ids []int64
		for _, c := range fuse(cands(), DefaultLexicalWeight, DefaultVectorWeight, trustFloor("哪个命令显示文件", known), 13, 13) {
			ids = append(ids, c.id)
		}
		return ids[:3]
	}
	if got := rank(1); got[0] != 2 {
		t.Fatalf("known 1: order = %v, want 2 first (the embedding's clear winner)", got)
	}
	if got := rank(0); !slices.Equal(got, []int64{1, 3, 2}) {
		t.Fatalf("known 0: order = %v, want BM25's 1, 3, then 2", got)
	}
	if got := rank(0.25); got[0] != 1 {
		t.Fatalf("known 0.25: order = %v, want 1 first (full text keeps 3/4 of its trust)", got)
	}
}

// A paragraph asked as a query (an argument, a pasted report) holds far more words than its
// best passage, so full text's leader covers little of it by IDF weight even when it is the
// passage sought; its order stands as for a question the embedder does not know.
func TestFuseKeepsFullTextForParagraphs(t *testing.T) {
	cands := []candidate{
		{id: 1, doc: 1, bm25: 10, coverage: 0.15, sim: 0.56, nearest: true},
		{id: 2, doc: 2, sim: 0.60, nearest: true},
		{id: 3, doc: 3, bm25: 4, coverage: 0.1, sim: 0.30},
	}
	cands = append(cands, pool(10, 0.40)...)
	question := "which hormone levels change with fasting"
	paragraph := "Intermittent fasting changed insulin and glucagon levels in the twelve volunteers, " +
		"and the authors argue that the timing of meals, more than their energy content, set the hormones' daily rhythm."
	for text, want := range map[string]int64{question: 2, paragraph: 1} {
		if got := fuse(slices.Clone(cands), DefaultLexicalWeight, DefaultVectorWeight, trustFloor(text, 1), 13, 13); got[0].id != want {
			t.Errorf("%q (%d words): %d first, want %d", text, len(textseg.SearchWords(text)), got[0].id, want)
		}
	}
}
