package retrieve

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/docent-search/docent/internal/textseg"
)

// candidate is a passage either branch proposed, with both branches' evidence.
type candidate struct {
	id, doc  int64
	bm25     float64 // 0 when the lexical branch did not propose it
	docBM25  float64 // BM25 of the passage's whole document (0 when not scored, see documentBM25)
	sim      float64 // cosine similarity to the query (0 in lexical-only searches)
	coverage float64
	nearest  bool // proposed by the vector branch
	margin   float64
	score    float64
	pinned   bool // a passage of a pinned document (see pin)
	// path and start place the passage (its document's path, its offset there): the key that
	// breaks ties between equal scores, the same in every build of the index (see fuse).
	path  string
	start int
}

// fullCoverage is the share of the query's IDF-weighted terms that the best lexical match
// (the highest BM25) must contain for full text to count fully in the fusion; at or below
// noCoverage full text does not count at all, and in between its weight rises with the square
// of the way from one to the other. marginWeight is the weight of the embedding's margins in
// the share of the fusion that full text gives up (see fuse).
//
// Measured over every dev set's candidates replayed offline, then by make eval (hybrid
// nDCG@10, SciFact / NFCorpus / git-doc / handbook / everyday / paraphrased), with the
// default vector weight going from 0.2 to 0.25 at the same time: 0.696 / 0.337 / 0.536 /
// 0.982 / 0.618 / 0.733 (full at 0.4, none at 0, margins 0.3) → 0.698 / 0.338 / 0.544 /
// 0.982 / 0.640 / 0.738. The everyday and paraphrased sets still trail the embedding alone
// (0.650, 0.753): their wrong full-text leaders hold 0.3–0.55 of the question ("when will our
// vendor get their money" finds "vendor" and "get" in the contractors page), as do the right
// leaders of questions in the documents' own words, so no threshold on coverage separates
// them; the handbook set drops to 0.96–0.97 when full trust starts at 0.35 instead of 0.3.
// No rule of a later round separated them either (rank bonuses, trust from the two leaders'
// coverage, their agreement or the embedding's peakedness, other normalisations): the two sets
// lose on the few questions whose leader holds 30 % or more, on which full text ranks better
// in the other sets (README, "Search quality").
const (
	fullCoverage = 0.3
	noCoverage   = 0.1
	marginWeight = 1.5
)

// marginPool is how many of the nearest passages a margin is measured against.
const marginPool = 60

// documentWeight is the share of the lexical score that goes to the passage's document as a
// whole (its BM25, divided by the best document's) when full text is fully trusted (see fuse).
// Measured by make eval, hybrid nDCG@10 from 0 to 0.5: git-doc 0.508 → 0.536, SciFact 0.694 →
// 0.696, NFCorpus 0.337, handbook 0.982 and everyday 0.618 unchanged, paraphrased 0.742 → 0.733
// (one question). Offline over the same candidates (the weight scaled by trust), 0.4 and 0.6
// gave git-doc 0.529 and 0.541 and the other sets alike.
const documentWeight = 0.5

// paragraphWords is the length from which a query is a paragraph rather than a question (see
// trustFloor). No question of the dev sets reaches it but 8 of SciFact's 300 claims, whose
// leaders are fully trusted by their coverage anyway.
const paragraphWords = 25

// trustFloor is the least trust full text keeps in the fusion of a search for text, of whose
// words the embedder knows the share known by meaning (see knowingEmbedder; 1 for an
// embedder that does not say).
//
// Full text keeps at least 1 − known of its trust: for a question the embedder knows nothing
// of (Chinese, for the built-in one, whose word vectors are English), the embedding matches
// the same words full text does, through hashed characters, and its margins are no evidence
// of other words for the same thing. The embedding still refines the ranking at its own
// weight. Measured offline over every dev set's candidates, hybrid nDCG@10 manpages-zh 0.748 →
// 0.789 (lexical 0.790), the other eight sets unchanged (SciFact Recall@100 0.923 → 0.926);
// scaling the vector weight by known as well cost manpages-de 0.06 and manpages-fr 0.02
// (their hashed features refine full text well).
//
// A query of paragraphWords or more (a pasted paragraph, an argument, an error report) keeps
// all of its trust: it names far more than any one passage holds, so its best match holds a
// fifth to a third of its weight even when it is the passage sought, the range where a short
// question's leader matches by incidental words. No dev set has such queries, so they were
// made from SciFact and NFCorpus, an abstract's sentence or its second half asked for the
// rest of it (the inverse cloze task; 300 queries each, 28 and 130 words on average): their
// leaders' coverage was 0.2–0.3 for a third of them and under 0.2 for a seventh. Replayed
// (hybrid nDCG@10, before → now, lexical alone in brackets): one sentence, SciFact 0.850 →
// 0.856 (0.853), NFCorpus 0.722 → 0.734 (0.728); half an abstract, SciFact 0.931 → 0.929
// (0.930), NFCorpus 0.806 → 0.815 (0.813); every dev set unchanged.
func trustFloor(text string, known float64) float64 {
	if len(textseg.SearchWords(text)) >= paragraphWords {
		return 1
	}
	return 1 - min(max(known, 0), 1)
}

// fuse scores the candidates and returns the page: at most perDoc passages of a document,
// at most limit in all, best first.
//
// The score is a weighted sum of the two branches' scores, each divided by its best value
// among the candidates. Unlike reciprocal rank fusion it keeps how far apart the candidates
// are, so a weaker ranker refines the stronger one instead of diluting it (on SciFact rank
// fusion scored 0.63 nDCG@10 where score fusion scores 0.70).
//
// The lexical weight follows the lexical branch's evidence: when even its best passage holds
// little of the question's weight (under fullCoverage), its ranking rests on incidental words
// ("get", "days") and the embedding, which can match other words for the same thing, leads.
// Per-branch z-scores, and weighting each branch by how far its best score stands out,
// measured worse on every set (README, "Fusion").
//
// The weight full text gives up goes to the embedding's margins, each divided by the best
// one: how far a passage stands above the query's nearest passages. Cosine similarities
// divided by their maximum crowd near 1 (0.93 and 0.97 differ by 0.04), so however small the
// lexical weight, a few points of BM25 on an incidental word outranked the passage the
// embedding clearly preferred; margins spread the embedding's candidates over 0..1 as the
// BM25 scores are. Measured with docent-local-v3 (make eval, nDCG@10, before → now):
// handbook-everyday 0.558 → 0.618, handbook-paraphrase 0.688 → 0.742, SciFact 0.696 →
// 0.695, NFCorpus, git-doc and handbook-eval within 0.001. At full coverage the fusion is
// unchanged. Tried and measured worse on some set: margins for every query (not only for
// the weight full text cedes), min-max similarities, BM25 relative to the mean of its
// candidates, a CombMNZ bonus for passages both branches found, and trusting full text
// more when the two branches' top 10 documents overlap; offline, a logistic model of the
// lexical trust over ten features of the query and both branches' leaders, fitted on all dev
// sets but one, lost up to 0.04 on the set left out (README, "Search quality").
//
// floor is the least trust full text keeps, whatever its leader's coverage (see trustFloor).
func fuse(cands []candidate, lw, vw, floor float64, limit, perDoc int) []candidate {
	// coverage is that of full text's leader, the passage with the highest BM25 (of the
	// leaders, the fullest): the evidence for the lexical ranking is its top, not some lower
	// passage that holds more of the question's words and that BM25 itself ranks below.
	var maxBM25, maxSim, maxDoc, coverage float64
	for _, c := range cands {
		if c.bm25 > maxBM25 || c.bm25 == maxBM25 && c.coverage > coverage {
			coverage = c.coverage
		}
		maxBM25 = max(maxBM25, c.bm25)
		maxSim = max(maxSim, c.sim)
		maxDoc = max(maxDoc, c.docBM25)
	}
	// The reference for margins: the mean similarity of the nearest marginPool passages,
	// whatever the page size, so a margin means the same in a search and in an answer.
	var nearest []float64
	for _, c := range cands {
		if c.nearest {
			nearest = append(nearest, c.sim)
		}
	}
	// Only an embedding branch can lead in its place; alone, BM25 keeps its own scores.
	var ceded float64
	trust := 1.0
	if len(nearest) > 0 {
		trust = math.Pow(min(1, max(0, coverage-noCoverage)/(fullCoverage-noCoverage)), 2)
		trust = max(trust, floor)
		ceded = (1 - trust) * lw * marginWeight
		lw *= trust
	}
	// Document evidence is lexical evidence of a weaker kind, counted only where full text is
	// fully trusted: when its best passage holds little of the question, the documents it
	// matches as wholes match by the same incidental words. (Scaled by trust instead, it put
	// a page that mentions "seat" twice first for "a roomier seat going intercontinental".)
	var dw float64
	if maxDoc > 0 && trust == 1 {
		dw = documentWeight
	}
	slices.SortFunc(nearest, func(a, b float64) int { return cmp.Compare(b, a) })
	nearest = nearest[:min(len(nearest), marginPool)]
	var sum float64
	for _, s := range nearest {
		sum += s
	}
	var maxMargin float64
	for i := range cands {
		c := &cands[i]
		if len(nearest) > 0 {
			c.margin = c.sim - sum/float64(len(nearest))
			maxMargin = max(maxMargin, c.margin)
		}
	}
	for i := range cands {
		c := &cands[i]
		lexical := (1-dw)*c.bm25/max(maxBM25, 1e-9) + dw*c.docBM25/max(maxDoc, 1e-9)
		c.score = lw*lexical + vw*max(c.sim, 0)/max(maxSim, 1e-9) +
			ceded*max(c.margin, 0)/max(maxMargin, 1e-9)
	}
	// Equal scores (the same text under two names: a manual page and its alias, a file copied
	// into two folders) rank by path, then place: chunk ids follow the order in which parallel
	// loads and re-indexing wrote the passages, which differs between builds of one corpus.
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.path, b.path), cmp.Compare(a.start, b.start), cmp.Compare(a.id, b.id))
	})
	perDocument := map[int64]int{}
	page := cands[:0]
	for _, c := range cands {
		if len(page) == limit {
			break
		}
		if perDocument[c.doc] < perDoc {
			perDocument[c.doc]++
			page = append(page, c)
		}
	}
	return page
}
