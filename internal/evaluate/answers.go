package evaluate

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/docent-search/docent/internal/answer"
)

// Facts maps a query id to the facts its answer must state. A fact may list alternatives
// separated by "|" ("30 days|thirty days"): any one of them counts.
type Facts map[string][]string

// ReadFacts reads a TSV file of "query-id<TAB>fact" lines, one fact per line. Blank lines,
// lines starting with "#" and a "query-id<TAB>fact" header are skipped.
func ReadFacts(name string) (Facts, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := Facts{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		id, fact, ok := strings.Cut(text, "\t")
		id, fact = strings.TrimSpace(id), strings.TrimSpace(fact)
		if line == 1 && id == "query-id" {
			continue
		}
		if !ok || id == "" || strings.Trim(fact, "| ") == "" {
			return nil, fmt.Errorf("%s line %d: want a query id, a tab and a fact", name, line)
		}
		out[id] = append(out[id], fact)
	}
	return out, sc.Err()
}

// AnswerReport measures answers to the answerable (judged) queries.
type AnswerReport struct {
	Queries int
	// Answered is the share of queries answered rather than declined.
	Answered float64
	// FactRecall is the share of the queries' facts found in their answers' text, ignoring
	// case; a declined question misses all its facts. Facts counts them.
	FactRecall float64
	Facts      int
	// CitationPrecision is the share of the answers' cited documents that are judged relevant
	// to the query. Citations counts them: a document cited twice in one answer (two of its
	// passages) counts once, as the page a reader is pointed at, so that an answer quoting
	// one page twice neither doubles a right citation nor a wrong one.
	CitationPrecision float64
	Citations         int
	// Declined is the share of the unanswerable queries whose answer said the documents do not
	// answer them (of Unanswerable; 0 when none were given): what a reader sees, where
	// Declined (the function) judges the retrieval alone, which an answerer may decline past.
	Declined     float64
	Unanswerable int
	// Records holds each question's answer, in the order asked (unanswerable ones first), for
	// reading where the figures come from (`indexer eval --answers-out`).
	Records []AnswerRecord
}

// AnswerRecord is one question's answer as evaluated.
type AnswerRecord struct {
	ID           string   `json:"id"`
	Question     string   `json:"question"`
	Unanswerable bool     `json:"unanswerable,omitempty"`
	Answered     bool     `json:"answered"`
	Answer       string   `json:"answer,omitempty"`
	Cited        []Cited  `json:"cited,omitempty"`
	FactsFound   []string `json:"facts_found,omitempty"`
	FactsMissed  []string `json:"facts_missed,omitempty"`
}

// Cited is a document an answer cites, with its judged grade (0: not judged relevant).
type Cited struct {
	Document string `json:"document"`
	Grade    int    `json:"grade"`
}

// Answers asks every judged query and every unanswerable one through svc, exactly as /api/ask
// does, as a reader of the given groups, and measures the answers against the judgments and
// facts (facts and unanswerable may be nil).
func Answers(ctx context.Context, svc *answer.Service, queries []Query, qrels Qrels, facts Facts, unanswerable []Query, groups []string) (AnswerReport, error) {
	var rep AnswerReport
	for _, q := range unanswerable {
		resp, err := svc.Ask(ctx, answer.Request{Question: q.Text, Groups: groups}, nil)
		if err != nil {
			return rep, fmt.Errorf("query %s: %w", q.ID, err)
		}
		if !resp.Found {
			rep.Declined++
		}
		rec := AnswerRecord{ID: q.ID, Question: q.Text, Unanswerable: true, Answered: resp.Found, Answer: resp.Answer}
		for _, id := range citedDocuments(resp.Citations) {
			rec.Cited = append(rec.Cited, Cited{Document: id})
		}
		rep.Records = append(rep.Records, rec)
	}
	if rep.Unanswerable = len(unanswerable); rep.Unanswerable > 0 {
		rep.Declined /= float64(rep.Unanswerable)
	}
	found, relevant := 0, 0
	for _, q := range queries {
		judged := qrels[q.ID]
		if len(judged) == 0 {
			continue
		}
		rep.Queries++
		resp, err := svc.Ask(ctx, answer.Request{Question: q.Text, Groups: groups}, nil)
		if err != nil {
			return rep, fmt.Errorf("query %s: %w", q.ID, err)
		}
		if resp.Found {
			rep.Answered++
		}
		rec := AnswerRecord{ID: q.ID, Question: q.Text, Answered: resp.Found, Answer: resp.Answer}
		text := normalize(resp.Answer)
		for _, fact := range facts[q.ID] {
			rep.Facts++
			if resp.Found && containsAny(text, fact) {
				found++
				rec.FactsFound = append(rec.FactsFound, fact)
			} else {
				rec.FactsMissed = append(rec.FactsMissed, fact)
			}
		}
		for _, doc := range citedDocuments(resp.Citations) {
			rep.Citations++
			id := doc
			if _, ok := judged[id]; !ok {
				id = strings.TrimSuffix(id, path.Ext(id))
			}
			if judged[id] > 0 {
				relevant++
			}
			rec.Cited = append(rec.Cited, Cited{Document: doc, Grade: judged[id]})
		}
		rep.Records = append(rep.Records, rec)
	}
	if rep.Queries == 0 {
		return rep, fmt.Errorf("no query has relevance judgments: do the query ids of the two files match?")
	}
	rep.Answered /= float64(rep.Queries)
	if rep.Facts > 0 {
		rep.FactRecall = float64(found) / float64(rep.Facts)
	}
	if rep.Citations > 0 {
		rep.CitationPrecision = float64(relevant) / float64(rep.Citations)
	}
	return rep, nil
}

// citedDocuments returns the documents an answer cites, each once, in order of first citation.
func citedDocuments(cs []answer.Citation) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Document) {
			out = append(out, c.Document)
		}
	}
	return out
}

// containsAny reports whether text (normalized) contains one of the fact's alternatives.
func containsAny(text, fact string) bool {
	for _, alt := range strings.Split(fact, "|") {
		if alt = normalize(alt); alt != "" && strings.Contains(text, alt) {
			return true
		}
	}
	return false
}

// normalize lower-cases s and collapses its white space, so a fact matches across a line
// break of the answer.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}
