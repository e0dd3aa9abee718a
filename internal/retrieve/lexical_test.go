package retrieve_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docent-search/docent/internal/embedder"
	"github.com/docent-search/docent/internal/ingest"
	"github.com/docent-search/docent/internal/postgres"
	"github.com/docent-search/docent/internal/postgres/pgtest"
	"github.com/docent-search/docent/internal/retrieve"
	"github.com/docent-search/docent/internal/retrieve/bm25ref"
	"github.com/docent-search/docent/internal/source"
)

// zipfCorpus draws words from an invented vocabulary with Zipf frequencies, like natural text:
// a few words in most chunks, most words rare. Consonant endings keep the English stemmer from
// merging words.
type zipfCorpus struct {
	vocab []string
	zipf  *rand.Zipf
}

func newZipfCorpus(seed uint64) *zipfCorpus {
	r := rand.New(rand.NewPCG(seed, 1))
	syl := []string{"ka", "lo", "mi", "ru", "te", "zo", "pa", "ni", "ve", "do", "su", "ga"}
	z := &zipfCorpus{zipf: rand.NewZipf(r, 1.07, 2, 1999)}
	seen := map[string]bool{}
	for len(z.vocab) < 2000 {
		w := syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] + syl[r.IntN(len(syl))] + "n"
		if !seen[w] {
			seen[w] = true
			z.vocab = append(z.vocab, w)
		}
	}
	return z
}

func (z *zipfCorpus) words(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = z.vocab[z.zipf.Uint64()]
	}
	return strings.Join(out, " ")
}

// load stores docs documents of one to three chunks of varied length under paths a/, b/ and
// hr/ (restricted to group hr), replacing those with the same paths.
func (z *zipfCorpus) load(t *testing.T, ctx context.Context, s *retrieve.Searcher, src source.Source, docs, version int) {
	t.Helper()
	e := embedder.Local{}
	var ps []ingest.Prepared
	for i := range docs {
		p := ingest.Prepared{Path: fmt.Sprintf("%s/doc%d.md", []string{"a", "b", "hr"}[i%3], i), Title: z.words(3), Type: "markdown"}
		for c := range 1 + (i+version)%3 {
			text := z.words(20 + (i*7+c*13+version)%150)
			p.Chunks = append(p.Chunks, ingest.Chunk{Heading: z.words(2), Text: text, Start: len(p.Body), End: len(p.Body) + len(text)})
			p.Body += text
			p.Vectors = append(p.Vectors, e.Vector(text))
		}
		ps = append(ps, p)
	}
	err := ingest.Load(ctx, s.Pool, src, slices.Values(ps), ingest.LoadOptions{Model: postgres.Model{Name: e.Model(), Dimension: embedder.LocalDimension}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLexicalIsExactBM25 compares the lexical branch with an exhaustive reference BM25 over the
// same lexemes: the same top k in the same order with the same scores, for a 300-word query,
// a query of one word found in most chunks, rare words, words absent from the corpus, with
// access groups and filters, and again after documents are replaced and statistics refreshed.
// The lexical branch used to keep the rarest 32 terms and a candidate budget, and so missed.
func TestLexicalIsExactBM25(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	src, err := source.Add(ctx, pool, source.Source{Name: "docs", Root: t.TempDir(), Rules: []source.Rule{{Glob: "hr/**", Groups: []string{"hr"}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := &retrieve.Searcher{Pool: pool, Embedder: embedder.Local{}}
	z := newZipfCorpus(7)
	start := time.Now()
	z.load(t, ctx, s, src, 900, 0)
	t.Logf("loaded in %v", time.Since(start))

	queries := map[string]string{
		"300 words":       z.words(300),
		"one common word": z.vocab[0],
		"common words":    strings.Join(z.vocab[:6], " "),
		"rare words":      z.vocab[1500] + " " + z.vocab[1800] + " " + z.vocab[40],
		"unknown words":   "qqqzzz " + z.vocab[3] + " xxxyyy",
		"40 words":        z.words(40),
	}
	accesses := map[string]retrieve.Query{
		"everyone":      {},
		"group hr":      {Groups: []string{"hr"}},
		"path b/":       {PathPrefix: "b/"},
		"hr, path hr/":  {Groups: []string{"hr"}, PathPrefix: "hr/"},
		"other, path a": {Groups: []string{"sales"}, PathPrefix: "a/doc1"},
	}
	check := func(round string) {
		start := time.Now()
		defer func() { t.Logf("%s: checked in %v", round, time.Since(start)) }()
		ref, err := bm25ref.Load(ctx, pool, "")
		if err != nil {
			t.Fatal(err)
		}
		for qname, text := range queries {
			lexemes, err := bm25ref.Lexemes(ctx, pool, "english", text)
			if err != nil {
				t.Fatal(err)
			}
			for aname, q := range accesses {
				const k = 40
				q.Text, q.Mode, q.Limit, q.PerDocument, q.NoSnippets = text, "lexical", k, k, true
				got, err := s.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				all := ref.TopK(lexemes, params, len(ref.Chunks), func(c bm25ref.Chunk) bool {
					visible := len(c.Groups) == 0 || slices.ContainsFunc(c.Groups, func(g string) bool { return slices.Contains(q.Groups, g) })
					return visible && strings.HasPrefix(c.Path, q.PathPrefix)
				})
				want := all[:min(k, len(all))]
				if aname == "everyone" && len(want) < k {
					t.Fatalf("%s, %s: the reference finds only %d chunks: the corpus does not test the top %d", round, qname, len(want), k)
				}
				if msg := compareTopK(got, want, all); msg != "" {
					t.Errorf("%s, %s, %s: %s\n got  %v\n want %s", round, qname, aname, msg, ids(got), bm25ref.String(want))
				}
			}
		}
	}
	check("first load")
	// Replacing documents rewrites their postings (and the statistics, refreshed by Load).
	z.load(t, ctx, s, src, 450, 1)
	check("after replacing half the documents")
}

// params are the search's BM25 parameters.
var params = bm25ref.Params{K1: retrieve.BM25K1, B: retrieve.BM25B, TitleWeight: retrieve.TitleWeight, HeadingWeight: retrieve.HeadingWeight}

// compareTopK checks the search's lexical-mode results against the reference's top k (want,
// the head of all, every matching chunk ranked): scores are normalised by the best (fusion
// divides by it), so each result's score times the reference's best must be the reference
// score at that position and the chunk's own reference score. Chunks with equal scores may
// come in either order, also across the k-th place: the ids that break ties differ between
// loads, and sums in another order differ in the last bit.
func compareTopK(got []retrieve.Result, want, all []bm25ref.Hit) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d results, want %d", len(got), len(want))
	}
	if len(want) == 0 {
		return ""
	}
	refScore := map[int64]float64{}
	for _, h := range all {
		refScore[h.ID] = h.Score
	}
	for i, r := range got {
		score := r.Score * want[0].Score
		if math.Abs(score-want[i].Score) > 1e-9*want[0].Score {
			return fmt.Sprintf("rank %d: score %.9f, want %.9f", i+1, score, want[i].Score)
		}
		if ref, ok := refScore[r.ChunkID]; !ok || math.Abs(ref-score) > 1e-9*want[0].Score {
			return fmt.Sprintf("rank %d: chunk %d is not the reference's chunk at that score", i+1, r.ChunkID)
		}
	}
	return ""
}

func ids(rs []retrieve.Result) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ChunkID
	}
	return out
}

// TestJoinedWordFindsItsHyphenatedCompound: a word no passage holds ("wifi", "oncall") is also
// read as the hyphenated compound that spells it ("Wi-Fi", "on-call"), so the page that says it
// with a hyphen is found; a word the passages hold ("email") is read as itself alone, and a
// lexeme with a leading hyphen (an option, a negative number) is no compound.
func TestJoinedWordFindsItsHyphenatedCompound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{
		"it/wifi.md":     "# Office Wi-Fi\n\nPhones use the guest network; its password changes every Monday.\n",
		"it/password.md": "# Password reset\n\nIf you forgot your password, reset the password at the portal.\n",
		"it/oncall.md":   "# Rota\n\nThe on-call engineer answers a page within five minutes.\n",
		"mail/old.md":    "# Mail\n\nSend e-mail from the web client.\n",
		"mail/quota.md":  "# Quotas\n\nEmail quotas are 50 GB. Run `du -1` to count.\n",
	})
	asks := func(t *testing.T, text string) []string {
		t.Helper()
		terms, err := b.searcher.QueryTerms(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tm := range terms {
			out = append(out, tm.Lexeme)
		}
		slices.Sort(out)
		return out
	}
	if got := asks(t, "wifi password"); !slices.Contains(got, "wi-fi") {
		t.Errorf("wifi password asks for %q, want wi-fi among them", got)
	}
	if got := lexical(t, b, "what is the wifi password"); len(got) == 0 || got[0] != "it/wifi.md" {
		t.Errorf("what is the wifi password found %q, want it/wifi.md first", got)
	}
	if got := lexical(t, b, "oncall"); !slices.Equal(got, []string{"it/oncall.md"}) {
		t.Errorf("oncall found %q, want the page saying on-call", got)
	}
	if got := asks(t, "email"); slices.Contains(got, "e-mail") {
		t.Errorf("email, which a passage holds, also asks for e-mail: %q", got)
	}
	if got := asks(t, "1"); slices.Contains(got, "-1") {
		t.Errorf("1 asks for the option -1: %q", got)
	}
}
